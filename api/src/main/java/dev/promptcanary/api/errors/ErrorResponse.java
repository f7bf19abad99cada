package dev.promptcanary.api.errors;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The one shape every error leaves the API in. {@code field} names the first offending field (null
 * when the error is not about one); {@code errors} lists every problem found when there were
 * several.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ErrorResponse(int code, String message, String field, List<FieldError> errors) {

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
