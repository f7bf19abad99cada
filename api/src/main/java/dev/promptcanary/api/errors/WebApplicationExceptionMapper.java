package dev.promptcanary.api.errors;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/**
 * Jersey's own refusals (unknown path, wrong method, unsupported media type) in the API's error
 * shape.
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
          case 415 -> "send the request body as application/json";
          default -> exception.getMessage();
        };
    String field = status == 415 ? "Content-Type" : null;
    return ErrorResponses.build(ErrorResponse.of(status, message, field));
  }
}
