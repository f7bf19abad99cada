package dev.promptcanary.api.openapi;

import dev.promptcanary.api.auth.Unauthenticated;
import dev.promptcanary.api.errors.ApiException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

/**
 * Swagger UI on {@code /openapi.json}, from the swagger-ui WebJar on the class path (no CDN): the
 * page at {@code /swagger}, its files at {@code /swagger/assets/...}. Served without a key like the
 * spec; the UI's Authorize button takes an API key for the calls it makes.
 */
@Path("/swagger")
public class SwaggerUiResource {
  private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/";

  /** The files the page uses, and their types; nothing else of the class path is served. */
  private static final Map<String, String> ASSETS =
      Map.of(
          "swagger-ui.css", "text/css; charset=utf-8",
          "swagger-ui-bundle.js", "text/javascript; charset=utf-8",
          "swagger-ui-standalone-preset.js", "text/javascript; charset=utf-8",
          "favicon-32x32.png", "image/png",
          "favicon-16x16.png", "image/png");

  private static final String PAGE =
      """
      <!DOCTYPE html>
      <html lang="en">
      <head>
      <meta charset="UTF-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <title>promptcanary API</title>
      <link rel="stylesheet" href="/swagger/assets/swagger-ui.css">
      <link rel="icon" type="image/png" href="/swagger/assets/favicon-32x32.png" sizes="32x32">
      </head>
      <body>
      <div id="swagger-ui"></div>
      <script src="/swagger/assets/swagger-ui-bundle.js"></script>
      <script src="/swagger/assets/swagger-ui-standalone-preset.js"></script>
      <script src="/swagger/assets/initializer.js"></script>
      </body>
      </html>
      """;

  private static final String INITIALIZER =
      """
      window.onload = function () {
        window.ui = SwaggerUIBundle({
          url: "/openapi.json",
          dom_id: "#swagger-ui",
          deepLinking: true,
          persistAuthorization: true,
          presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
          layout: "StandaloneLayout"
        });
      };
      """;

  private final String version = webjarVersion();

  @GET
  @Unauthenticated
  public Response page() {
    return Response.ok(PAGE, "text/html; charset=utf-8").build();
  }

  @GET
  @Path("/assets/{file}")
  @Unauthenticated
  public Response asset(@PathParam("file") String file) {
    if (file.equals("initializer.js")) {
      return Response.ok(INITIALIZER, "text/javascript; charset=utf-8").build();
    }
    String type = ASSETS.get(file);
    InputStream in =
        type == null
            ? null
            : SwaggerUiResource.class
                .getClassLoader()
                .getResourceAsStream(WEBJAR + version + "/" + file);
    if (in == null) {
      throw ApiException.notFound("path", "no Swagger UI file '" + file + "'");
    }
    return Response.ok(in, type).header("Cache-Control", "public, max-age=86400").build();
  }

  /** The bundled WebJar's version, from its Maven properties (so a version bump needs no edit). */
  static String webjarVersion() {
    try (InputStream in =
        SwaggerUiResource.class
            .getClassLoader()
            .getResourceAsStream("META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
      if (in == null) {
        throw new IllegalStateException("the swagger-ui WebJar is not on the class path");
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
