package dev.promptcanary.api.errors;

import dev.promptcanary.api.ui.KeyPage;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;

/**
 * Jersey's own refusals (unknown path, wrong method, unsupported media type, an unreadable entity)
 * and the auth filter's (no valid key, a role that may not) in the API's error shape, each naming
 * what was at fault; neither of the latter says whether the resource exists. A web page under
 * {@code /ui} that needs a key answers the page that asks for one.
 */
public class WebApplicationExceptionMapper implements ExceptionMapper<WebApplicationException> {
  @Context private UriInfo uri;

  @Override
  public Response toResponse(WebApplicationException exception) {
    int status = exception.getResponse().getStatus();
    if ((status == 401 || status == 403) && isWebPage()) {
      return Response.status(status)
          .type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
          .entity(KeyPage.html(status))
          .build();
    }
    String message =
        switch (status) {
          case 401 -> "a valid API key is required: send it as 'Authorization: Bearer <key>'";
          case 403 -> "this API key's role may not do this";
          case 404 -> "no such resource";
          case 405 -> "method not allowed on this resource";
          case 406 -> "only application/json responses are available";
          case 413 -> "request body too large";
          case 415 -> "send the request body as application/json";
          default -> exception.getMessage();
        };
    String field =
        switch (status) {
          case 401, 403 -> HttpHeaders.AUTHORIZATION;
          case 404 -> "path";
          case 405 -> "method";
          case 406 -> "Accept";
          case 415 -> "Content-Type";
          default -> status < 500 ? "body" : null;
        };
    Response.ResponseBuilder response =
        ErrorResponses.builder(ErrorResponse.of(status, message, field));
    String allow = exception.getResponse().getHeaderString("Allow");
    if (allow != null) {
      response.header("Allow", allow);
    }
    if (status == 401) {
      String challenge = exception.getResponse().getHeaderString(HttpHeaders.WWW_AUTHENTICATE);
      response.header(
          HttpHeaders.WWW_AUTHENTICATE,
          challenge != null ? challenge : "Bearer realm=\"promptcanary\"");
    }
    return response.build();
  }

  private boolean isWebPage() {
    if (uri == null) {
      return false;
    }
    String path = uri.getPath();
    return path.isEmpty() || path.equals("/") || path.startsWith("ui") || path.startsWith("/ui");
  }
}
