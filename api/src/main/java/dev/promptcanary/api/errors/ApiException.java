package dev.promptcanary.api.errors;

import java.util.List;
import java.util.OptionalInt;

/** A request the API refuses, with the status, the field at fault and the reason. */
public class ApiException extends RuntimeException {
  private final transient ErrorResponse response;

  /** Seconds the client should wait before it sends the request again; 0: no advice. */
  private final int retryAfterSeconds;

  public ApiException(int status, String field, String message) {
    this(status, field, message, 0);
  }

  private ApiException(int status, String field, String message, int retryAfterSeconds) {
    super(message);
    this.response = ErrorResponse.of(status, message, field);
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public ApiException(int status, List<FieldError> errors) {
    super(errors.get(0).message());
    this.response = ErrorResponse.of(status, errors);
    this.retryAfterSeconds = 0;
  }

  /**
   * A 503 for a dependency that did not answer in time (Temporal): sent again after {@code
   * retryAfterSeconds} (the {@code Retry-After} header), the same request may succeed.
   */
  public static ApiException unavailable(String message, int retryAfterSeconds) {
    return new ApiException(503, null, message, retryAfterSeconds);
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

  public OptionalInt retryAfterSeconds() {
    return retryAfterSeconds > 0 ? OptionalInt.of(retryAfterSeconds) : OptionalInt.empty();
  }
}
