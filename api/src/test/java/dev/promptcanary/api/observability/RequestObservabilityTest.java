package dev.promptcanary.api.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptcanary.api.CapturedLog;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.testing.junit5.ResourceExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The request side of the log context: what a handler logs carries the prompt, version and rollout
 * its path names (a key or an eval suite named by the path is neither), nothing leaks to the next
 * request on the same thread, and every request is timed under its route template.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class RequestObservabilityTest {
  static final SimpleMeterRegistry REGISTRY = new SimpleMeterRegistry();
  static final org.slf4j.Logger HANDLER_LOG = LoggerFactory.getLogger(LoggingResource.class);

  /** Handlers that log one line each, as the API's handlers do when something needs saying. */
  @Path("/v1")
  @Produces(MediaType.TEXT_PLAIN)
  public static class LoggingResource {
    @GET
    @Path("/prompts/{name}/versions/{version}")
    public String version(@PathParam("name") String name, @PathParam("version") String version) {
      HANDLER_LOG.info("read {} v{}", name, version);
      return "ok";
    }

    @GET
    @Path("/rollouts/{id}")
    public String rollout(@PathParam("id") String id) {
      HANDLER_LOG.info("read {}", id);
      return "ok";
    }

    @GET
    @Path("/keys/{id}")
    public String key(@PathParam("id") String id) {
      HANDLER_LOG.info("key {}", id);
      return "ok";
    }

    @GET
    @Path("/eval-suites/{name}/versions/{version}")
    public String suite(@PathParam("name") String name, @PathParam("version") String version) {
      HANDLER_LOG.info("suite {} v{}", name, version);
      return "ok";
    }

    @GET
    @Path("/ping")
    public String ping() {
      HANDLER_LOG.info("ping");
      return "ok";
    }
  }

  static final ResourceExtension RESOURCES =
      ResourceExtension.builder()
          .addResource(new LoggingResource())
          .addProvider(new RequestObservability(REGISTRY))
          .build();

  CapturedLog lines;

  @BeforeEach
  void capture() {
    lines = CapturedLog.of(LoggingResource.class);
  }

  @AfterEach
  void stopCapturing() {
    lines.close();
  }

  private Map<String, String> mdcOfLine(String message) {
    return lines.mdcOf(message);
  }

  @Test
  void aHandlersLineCarriesThePromptAndVersionOfItsPath() {
    assertThat(RESOURCES.target("/v1/prompts/support/versions/3").request().get(String.class))
        .isEqualTo("ok");
    assertThat(mdcOfLine("read support v3"))
        .containsEntry("prompt", "support")
        .containsEntry("version", "3")
        .doesNotContainKey("rolloutId");
  }

  @Test
  void aRolloutsLineCarriesItsIdAndNothingLeaksToTheNextRequest() {
    RESOURCES.target("/v1/rollouts/rollout-support-3").request().get(String.class);
    RESOURCES.target("/v1/ping").request().get(String.class);
    assertThat(mdcOfLine("read rollout-support-3")).containsEntry("rolloutId", "rollout-support-3");
    assertThat(mdcOfLine("ping")).doesNotContainKeys("rolloutId", "prompt", "version");
    assertThat(MDC.get("rolloutId")).isNull();
  }

  @Test
  void aVersionThatIsNotANumberIsLeftOut() {
    RESOURCES.target("/v1/prompts/support/versions/latest").request().get(String.class);
    assertThat(mdcOfLine("read support vlatest"))
        .containsEntry("prompt", "support")
        .doesNotContainKey("version");
  }

  @Test
  void aKeysIdIsNoRolloutAndASuitesNameIsNoPrompt() {
    RESOURCES.target("/v1/keys/key-7").request().get(String.class);
    RESOURCES.target("/v1/eval-suites/support-cases/versions/2").request().get(String.class);
    assertThat(mdcOfLine("key key-7")).doesNotContainKeys("rolloutId", "prompt", "version");
    assertThat(mdcOfLine("suite support-cases v2"))
        .doesNotContainKeys("rolloutId", "prompt", "version");
  }

  @Test
  void requestsAreTimedByRouteTemplateNotRawPath() {
    RESOURCES.target("/v1/prompts/a/versions/1").request().get(String.class);
    RESOURCES.target("/v1/prompts/b/versions/2").request().get(String.class);
    RESOURCES.target("/v1/nowhere").request().get();
    assertThat(
            REGISTRY
                .get("promptcanary.http.requests")
                .tags(
                    "method",
                    "GET",
                    "route",
                    "/v1/prompts/{name}/versions/{version}",
                    "status",
                    "200")
                .timer()
                .count())
        .isGreaterThanOrEqualTo(2);
    assertThat(
            REGISTRY
                .get("promptcanary.http.requests")
                .tags("route", "unmatched", "status", "404")
                .timer()
                .count())
        .isEqualTo(1);
    assertThat(
            REGISTRY
                .find("promptcanary.http.requests")
                .tag("route", "/v1/prompts/a/versions/1")
                .timer())
        .isNull();
  }
}
