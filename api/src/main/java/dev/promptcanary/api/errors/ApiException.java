package dev.promptcanary.api.errors;

import java.util.List;

/** A request the API refuses, with the status, the field at fault and the reason. */
public class ApiException extends RuntimeException {
  private final transient ErrorResponse response;

  public ApiException(int status, String field, String message) {
    super(message);
    this.response = ErrorResponse.of(status, message, field);
  }

  public ApiException(int status, List<FieldError> errors) {
    super(errors.get(0).message());
    this.response = ErrorResponse.of(status, errors);
  }

  public static ApiException notFound(String field, String message) {
    return new ApiException(404, field, message);
  }

  public static ApiException invalid(String field, String message) {
    return new ApiException(422, field, message);
  }

  public static ApiException conflict(String field, String message) {
    return new ApiException(409, field, message);
  }

  public ErrorResponse response() {
    return response;
  }
}
