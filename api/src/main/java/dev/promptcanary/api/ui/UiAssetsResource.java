package dev.promptcanary.api.ui;

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
 * The dashboard's script, style and chart library, from the class path (no CDN at run time): uPlot
 * from its WebJar, the rest beside the templates. Served without a key, like Swagger UI's files:
 * code, no data (a {@code <script src>} cannot send the key; the data it fetches needs one).
 */
@Path("/ui/assets")
public class UiAssetsResource {
  private static final String OWN = "dev/promptcanary/api/ui/assets/";
  private static final String UPLOT = "META-INF/resources/webjars/uplot/";

  private static final String JS = "text/javascript; charset=utf-8";
  private static final String CSS = "text/css; charset=utf-8";

  /** Each file served and where it is; nothing else of the class path is. */
  private final Map<String, Asset> assets;

  private record Asset(String resource, String type) {}

  public UiAssetsResource() {
    String uplot = UPLOT + webjarVersion() + "/dist/";
    this.assets =
        Map.of(
            "uPlot.iife.min.js", new Asset(uplot + "uPlot.iife.min.js", JS),
            "uPlot.min.css", new Asset(uplot + "uPlot.min.css", CSS),
            "dashboard.js", new Asset(OWN + "dashboard.js", JS),
            "dashboard.css", new Asset(OWN + "dashboard.css", CSS),
            "list.js", new Asset(OWN + "list.js", JS));
  }

  @GET
  @Path("{file}")
  @Unauthenticated
  public Response asset(@PathParam("file") String file) {
    Asset asset = assets.get(file);
    InputStream in =
        asset == null
            ? null
            : UiAssetsResource.class.getClassLoader().getResourceAsStream(asset.resource());
    if (in == null) {
      throw ApiException.notFound("path", "no dashboard file '" + file + "'");
    }
    // Short-lived: a new jar's script must not meet an old cached one for long.
    return Response.ok(in, asset.type()).header("Cache-Control", "public, max-age=300").build();
  }

  /** The bundled uPlot WebJar's version, from its Maven properties. */
  static String webjarVersion() {
    try (InputStream in =
        UiAssetsResource.class
            .getClassLoader()
            .getResourceAsStream("META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
      if (in == null) {
        throw new IllegalStateException("the uplot WebJar is not on the class path");
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
