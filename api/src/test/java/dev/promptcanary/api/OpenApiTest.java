package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.promptcanary.activities.store.TestDatabases;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The OpenAPI spec at {@code /openapi.json} describes every endpoint the app serves: the resource
 * methods are enumerated from the Jersey resources it registered, by reflection (independently of
 * how the spec is made), and each must be an operation of the spec, with its role. Swagger UI at
 * {@code /swagger} loads from the bundled WebJar.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class OpenApiTest {
  static final TestDatabase DB = TestDatabases.fresh();
  static final DropwizardAppExtension<PromptCanaryConfiguration> APP = TestApps.api(DB);

  record Endpoint(String verb, String path, String role) {}

  static List<Endpoint> endpoints() {
    var config = APP.getEnvironment().jersey().getResourceConfig();
    Set<Class<?>> resources = new LinkedHashSet<>();
    config.getClasses().stream()
        .filter(c -> c.isAnnotationPresent(Path.class))
        .forEach(resources::add);
    config.getSingletons().stream()
        .map(Object::getClass)
        .filter(c -> c.isAnnotationPresent(Path.class))
        .forEach(resources::add);
    List<Endpoint> endpoints = new ArrayList<>();
    for (Class<?> resource : resources) {
      String base = resource.getAnnotation(Path.class).value();
      for (Method method : resource.getMethods()) {
        String verb =
            method.isAnnotationPresent(GET.class)
                ? "get"
                : method.isAnnotationPresent(POST.class)
                    ? "post"
                    : method.isAnnotationPresent(PUT.class)
                        ? "put"
                        : method.isAnnotationPresent(DELETE.class) ? "delete" : null;
        if (verb == null) {
          continue;
        }
        Path sub = method.getAnnotation(Path.class);
        String path = ("/" + base + "/" + (sub == null ? "" : sub.value())).replaceAll("/+", "/");
        if (path.length() > 1 && path.endsWith("/")) {
          path = path.substring(0, path.length() - 1);
        }
        // OpenAPI path templates carry no regular expression: /ui/{rest: .+} is /ui/{rest}
        path = path.replaceAll("\\{(\\w+)\\s*:[^}]*}", "{$1}");
        RolesAllowed roles = method.getAnnotation(RolesAllowed.class);
        endpoints.add(new Endpoint(verb, path, roles == null ? null : roles.value()[0]));
      }
    }
    return endpoints;
  }

  private static JsonNode spec() throws Exception {
    Response response =
        APP.client()
            .target("http://localhost:" + APP.getLocalPort() + "/openapi.json")
            .request()
            .get();
    assertThat(response.getStatus()).as("served without a key").isEqualTo(200);
    return new ObjectMapper().readTree(response.readEntity(String.class));
  }

  @Test
  void everyResourceMethodIsAnOperationOfTheSpecWithItsRole() throws Exception {
    JsonNode spec = spec();
    assertThat(spec.get("openapi").asText()).startsWith("3.");
    List<Endpoint> endpoints = endpoints();
    assertThat(endpoints)
        .as("the enumeration finds the resources")
        .contains(
            new Endpoint("post", "/v1/rollouts/{id}/approve", "deployer"),
            new Endpoint("get", "/v1/ping", null),
            new Endpoint("get", "/openapi.json", null));
    List<String> missing = new ArrayList<>();
    for (Endpoint e : endpoints) {
      JsonNode operation = spec.path("paths").path(e.path()).path(e.verb());
      if (operation.isMissingNode()) {
        missing.add(e.verb().toUpperCase(Locale.ROOT) + " " + e.path());
        continue;
      }
      if (e.role() != null) {
        assertThat(operation.path("x-role").asText()).as(e.toString()).isEqualTo(e.role());
        assertThat(operation.path("security").toString()).as(e.toString()).contains("apiKey");
      } else {
        assertThat(operation.has("x-role")).as(e + " needs no key").isFalse();
      }
    }
    assertThat(missing).as("resource methods missing from /openapi.json").isEmpty();
    assertThat(spec.at("/components/securitySchemes/apiKey/scheme").asText()).isEqualTo("bearer");
  }

  @Test
  void theSpecDescribesTheNewRolloutFields() throws Exception {
    JsonNode schemas = spec().path("components").path("schemas");
    assertThat(schemas.at("/StageRequest/properties/requireApproval/type").asText())
        .isEqualTo("boolean");
    assertThat(schemas.at("/StageRequest/properties/onApprovalTimeout/enum").toString())
        .contains("PROMOTE", "ROLLBACK", "HOLD");
    assertThat(schemas.at("/StartRolloutRequest/properties/mode/enum").toString())
        .contains("enforce", "notify-only");
  }

  @Test
  void theSpecDescribesOtlpIngestInBothEncodings() throws Exception {
    JsonNode operation = spec().at("/paths/~1v1~1otlp~1v1~1traces/post");
    assertThat(operation.path("x-role").asText()).isEqualTo("client");
    assertThat(operation.at("/requestBody/content").has("application/x-protobuf")).isTrue();
    assertThat(operation.at("/requestBody/content").has("application/json")).isTrue();
    assertThat(operation.at("/responses/200/content").has("application/x-protobuf")).isTrue();
  }

  @Test
  void swaggerUiIsServedFromTheBundledWebJar() {
    String base = "http://localhost:" + APP.getLocalPort();
    Response page = APP.client().target(base + "/swagger").request().get();
    assertThat(page.getStatus()).isEqualTo(200);
    String html = page.readEntity(String.class);
    assertThat(html).contains("/swagger/assets/swagger-ui-bundle.js").doesNotContain("https://");
    Response bundle =
        APP.client().target(base + "/swagger/assets/swagger-ui-bundle.js").request().get();
    assertThat(bundle.getStatus()).isEqualTo(200);
    assertThat(bundle.getHeaderString("Content-Type")).startsWith("text/javascript");
    assertThat(bundle.readEntity(String.class)).contains("SwaggerUIBundle");
    Response init = APP.client().target(base + "/swagger/assets/initializer.js").request().get();
    assertThat(init.readEntity(String.class)).contains("\"/openapi.json\"");
    Response other = APP.client().target(base + "/swagger/assets/pom.properties").request().get();
    assertThat(other.getStatus()).as("only the UI's own files").isEqualTo(404);
  }
}
