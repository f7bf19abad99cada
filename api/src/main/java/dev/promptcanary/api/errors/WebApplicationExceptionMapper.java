package dev.promptcanary.api.errors;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/**
 * Jersey's own refusals (unknown path, wrong method, unsupported media type, an unreadable entity)
 * in the API's error shape, each naming what was at fault.
 */
public class WebApplicationExceptionMapper implements ExceptionMapper<WebApplicationException> {
  @Override
  public Response toResponse(WebApplicationException exception) {
    int status = exception.getResponse().getStatus();
    String message =
        switch (status) {
          case 404 -> "no such resource";
          case 405 -> "method not allowed on this resource";
          case 406 -> "only application/json responses are available";
          case 413 -> "request body too large";
          case 415 -> "send the request body as application/json";
          default -> exception.getMessage();
        };
    String field =
        switch (status) {
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
    return response.build();
  }
}
