package dev.promptcanary.api.openapi;

import dev.promptcanary.api.auth.Unauthenticated;
import dev.promptcanary.api.openapi.ResourceEndpoints.Endpoint;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.jaxrs2.Reader;
import io.swagger.v3.oas.integration.SwaggerConfiguration;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The OpenAPI 3 description of the whole REST API, generated once, at the first request, from the
 * Jersey resources the app registered, by swagger-core's JAX-RS reader (nothing written by hand).
 * Each operation that needs a key gets the bearer scheme and its least role ({@code x-role}, and a
 * line in its description). Served without a key, like {@code /v1/ping}: it describes the API and
 * holds no data, and Swagger UI fetches it from the browser.
 */
@Path("/openapi.json")
@Produces(MediaType.APPLICATION_JSON)
public class OpenApiResource {
  static final String BEARER = "apiKey";

  private final Supplier<Set<Class<?>>> resources;
  private final String version;
  private volatile String spec;

  /**
   * @param resources the registered resource classes, asked for at the first request (when every
   *     resource is registered)
   */
  public OpenApiResource(Supplier<Set<Class<?>>> resources, String version) {
    this.resources = resources;
    this.version = version;
  }

  @GET
  @Unauthenticated
  public String openApi() throws Exception {
    String built = spec;
    if (built == null) {
      built = Json.pretty(generate(resources.get(), version));
      spec = built;
    }
    return built;
  }

  /** The spec of {@code resources}, with each operation's role. */
  public static OpenAPI generate(Set<Class<?>> resources, String version) {
    Set<Class<?>> classes = new LinkedHashSet<>(resources);
    OpenAPI base =
        new OpenAPI()
            .info(
                new Info()
                    .title("promptcanary")
                    .version(version)
                    .description(
                        "Rollouts of LLM prompt versions: the registry, serving, outcome ingest,"
                            + " rollouts and their controls, eval suites, keys and audit. Every"
                            + " operation but /v1/ping and this description needs an API key as"
                            + " `Authorization: Bearer <key>` with the role its x-role names (or"
                            + " one above it: client < reader < deployer < admin). Errors are"
                            + " {code, message, field}."))
            .components(
                new Components()
                    .addSecuritySchemes(
                        BEARER,
                        new SecurityScheme()
                            .type(SecurityScheme.Type.HTTP)
                            .scheme("bearer")
                            .description("an API key (pck_...)")));
    OpenAPI api = new Reader(new SwaggerConfiguration().openAPI(base)).read(classes);
    List<Endpoint> endpoints = ResourceEndpoints.of(classes);
    for (Endpoint e : endpoints) {
      if (e.role() == null || api.getPaths() == null) {
        continue;
      }
      PathItem item = api.getPaths().get(e.path());
      Operation operation = item == null ? null : operation(item, e.verb());
      if (operation == null) {
        continue;
      }
      operation.addSecurityItem(new SecurityRequirement().addList(BEARER));
      operation.addExtension("x-role", e.role());
      String needs = "Needs a key with the `" + e.role() + "` role or above.";
      operation.setDescription(
          operation.getDescription() == null ? needs : operation.getDescription() + "\n\n" + needs);
    }
    return api;
  }

  private static Operation operation(PathItem item, String verb) {
    return switch (verb) {
      case "GET" -> item.getGet();
      case "POST" -> item.getPost();
      case "PUT" -> item.getPut();
      case "DELETE" -> item.getDelete();
      case "PATCH" -> item.getPatch();
      case "HEAD" -> item.getHead();
      case "OPTIONS" -> item.getOptions();
      default -> null;
    };
  }
}
