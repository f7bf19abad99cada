package dev.promptcanary.api.errors;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

final class ErrorResponses {
  private ErrorResponses() {}

  static Response build(ErrorResponse error) {
    return builder(error).build();
  }

  static Response.ResponseBuilder builder(ErrorResponse error) {
    return Response.status(error.code()).type(MediaType.APPLICATION_JSON_TYPE).entity(error);
  }
}
