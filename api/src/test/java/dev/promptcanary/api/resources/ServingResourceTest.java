package dev.promptcanary.api.resources;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.promptcanary.activities.routing.Route;
import dev.promptcanary.activities.routing.RoutingState;
import dev.promptcanary.activities.routing.RoutingTable;
import dev.promptcanary.api.errors.ApiExceptionMapper;
import dev.promptcanary.api.errors.JsonExceptionMapper;
import dev.promptcanary.api.errors.UnexpectedExceptionMapper;
import dev.promptcanary.api.errors.ValidationExceptionMapper;
import dev.promptcanary.api.errors.WebApplicationExceptionMapper;
import dev.promptcanary.serving.FewShotExample;
import dev.promptcanary.serving.PromptContent;
import dev.promptcanary.serving.PromptVersion;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.testing.junit5.ResourceExtension;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The serving path's parameter parsing and error shapes, on the resource alone (no server, no
 * database): every error is the documented JSON with the field at fault, and a good request
 * resolves from the in-memory table.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ServingResourceTest {
  private static final RoutingTable ROUTES = routes();

  private static final String RESOLVE_JSON =
      "{\"prompt\":\"support\",\"version\":2,\"arm\":\"CANARY\",\"bucket\":6518,\"canaryWeightBp\":5000,\"rolloutId\":\"rollout-support-2\",\"pinned\":true,\"pinDropped\":false,\"note\":null,"
          + "\"content\":{\"prompt\":\"support\",\"version\":2,\"contentHash\":\"hash2\",\"content\":{\"systemPrompt\":\"You are agent 2.\",\"fewShot\":[{\"user\":\"hi\",\"assistant\":\"hello\"}],\"template\":\"Customer asks: {{question}}\",\"model\":\"sim-model\",\"parameters\":{\"temperature\":0.2}},\"variables\":[\"question\"],\"author\":\"ana\",\"createdAt\":0.0}}";

  static final ResourceExtension RESOURCE =
      ResourceExtension.builder()
          .setRegisterDefaultExceptionMappers(false)
          .addProvider(new ApiExceptionMapper())
          .addProvider(new ValidationExceptionMapper())
          .addProvider(new JsonExceptionMapper())
          .addProvider(new WebApplicationExceptionMapper())
          .addProvider(new UnexpectedExceptionMapper())
          .addResource(new ServingResource(ROUTES))
          .build();

  private static RoutingTable routes() {
    RoutingTable table = new RoutingTable();
    RoutingState state =
        new RoutingState("support", 1, 2, 5000, "rollout-support-2", 3, Instant.EPOCH);
    table.install(new Route(state, version(1), version(2)));
    return table;
  }

  private static PromptVersion version(int n) {
    PromptContent content =
        new PromptContent(
            "You are agent " + n + ".",
            List.of(new FewShotExample("hi", "hello")),
            "Customer asks: {{question}}",
            "sim-model",
            Map.of("temperature", 0.2));
    return new PromptVersion(
        "support", n, "hash" + n, content, List.of("question"), "ana", Instant.EPOCH);
  }

  /** GET {@code path} with query parameters given as name, value, name, value, ... */
  private static Response get(String path, String... query) {
    jakarta.ws.rs.client.WebTarget target = RESOURCE.target(path);
    for (int i = 0; i < query.length; i += 2) {
      target = target.queryParam(query[i], query[i + 1]);
    }
    return target.request().get();
  }

  private static JsonNode error(Response response, int status, String field) {
    assertThat(response.getStatus()).isEqualTo(status);
    JsonNode body = response.readEntity(JsonNode.class);
    assertThat(body.get("code").asInt()).isEqualTo(status);
    assertThat(body.get("field").asText()).isEqualTo(field);
    assertThat(body.get("message").asText()).isNotBlank();
    return body;
  }

  @Test
  void aKnownPromptResolvesStickilyFromMemory() {
    JsonNode first =
        RESOURCE
            .target("/v1/prompts/support/resolve")
            .queryParam("unit", "session-42")
            .request()
            .get(JsonNode.class);
    JsonNode again =
        RESOURCE
            .target("/v1/prompts/support/resolve")
            .queryParam("unit", "session-42")
            .request()
            .get(JsonNode.class);
    assertThat(first.get("version").asInt()).isIn(1, 2);
    assertThat(again.get("version").asInt()).isEqualTo(first.get("version").asInt());
    assertThat(first.get("bucket").asInt()).isBetween(0, 9_999);
  }

  /**
   * The resolve's JSON, byte for byte: the server's answer is the shared {@code
   * dev.promptcanary.serving.Resolution} record, and apps and the Python SDK read these names and
   * this order.
   */
  @Test
  void aPinnedResolveAnswersTheDocumentedJsonByteForByte() {
    String body =
        get("/v1/prompts/support/resolve", "unit", "session-42", "pin", "2")
            .readEntity(String.class);
    assertThat(body).isEqualTo(RESOLVE_JSON);
  }

  @Test
  void aMissingOrOversizedUnitIsA422NamingUnit() {
    assertThat(error(get("/v1/prompts/support/resolve"), 422, "unit").get("message").asText())
        .contains("unit is required");
    error(get("/v1/prompts/support/resolve", "unit", "u".repeat(201)), 422, "unit");
  }

  @Test
  void aBadPromptNameIsA422AndAnUnknownOneA404() {
    error(get("/v1/prompts/Not_A_Name/resolve", "unit", "s"), 422, "name");
    error(get("/v1/prompts/unknown/resolve", "unit", "s"), 404, "name");
  }

  @Test
  void aPinThatIsNotAPositiveVersionNamesPin() {
    error(get("/v1/prompts/support/resolve", "unit", "s", "pin", "abc"), 422, "pin");
    error(get("/v1/prompts/support/resolve", "unit", "s", "pin", "-1"), 422, "pin");
  }

  @Test
  void aWrongMethodIsTheDocumentedShapeNotAnHtmlPage() {
    Response response =
        RESOURCE
            .target("/v1/prompts/support/resolve")
            .request()
            .post(jakarta.ws.rs.client.Entity.json("{}"));
    assertThat(response.getStatus()).isEqualTo(405);
    assertThat(response.getMediaType().toString()).startsWith("application/json");
    assertThat(response.readEntity(JsonNode.class).get("code").asInt()).isEqualTo(405);
  }
}
