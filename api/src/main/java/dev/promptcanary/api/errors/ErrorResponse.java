package dev.promptcanary.api.errors;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The one shape every error leaves the API in. {@code field} names the first offending field (a
 * JSON path, a parameter, a header, {@code path} or {@code method}); it is always present, null
 * only for a server error that is about no input; {@code errors} lists every problem found when
 * there were several.
 */
public record ErrorResponse(
    int code,
    String message,
    @JsonInclude(JsonInclude.Include.ALWAYS) String field,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<FieldError> errors) {

  public static ErrorResponse of(int code, String message, String field) {
    return new ErrorResponse(code, message, field, List.of());
  }

  public static ErrorResponse of(int code, List<FieldError> errors) {
    FieldError first = errors.get(0);
    String message =
        errors.size() == 1
            ? first.field() + ": " + first.message()
            : first.field() + ": " + first.message() + " (and " + (errors.size() - 1) + " more)";
    return new ErrorResponse(code, message, first.field(), List.copyOf(errors));
  }
}
