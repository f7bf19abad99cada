package dev.promptcanary.api.errors;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

public class ApiExceptionMapper implements ExceptionMapper<ApiException> {
  @Override
  public Response toResponse(ApiException exception) {
    Response.ResponseBuilder response = ErrorResponses.builder(exception.response());
    exception
        .retryAfterSeconds()
        .ifPresent(seconds -> response.header("Retry-After", String.valueOf(seconds)));
    return response.build();
  }
}
