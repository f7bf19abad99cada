package dev.promptcanary.api.errors;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.Comparator;
import java.util.List;

/** Bean Validation failures become a 422 naming each field by its JSON path. */
public class ValidationExceptionMapper implements ExceptionMapper<ConstraintViolationException> {

  @Override
  public Response toResponse(ConstraintViolationException exception) {
    List<FieldError> errors =
        exception.getConstraintViolations().stream()
            .map(v -> new FieldError(jsonPath(v), v.getMessage()))
            .sorted(Comparator.comparing(FieldError::field).thenComparing(FieldError::message))
            .toList();
    if (errors.isEmpty()) {
      return ErrorResponses.build(ErrorResponse.of(422, "request is invalid", "body"));
    }
    return ErrorResponses.build(ErrorResponse.of(422, errors));
  }

  /**
   * {@code observations.batch.observations[3].latencyMs} becomes {@code observations[3].latencyMs}.
   */
  public static String jsonPath(ConstraintViolation<?> violation) {
    StringBuilder path = new StringBuilder();
    for (Path.Node node : violation.getPropertyPath()) {
      ElementKind kind = node.getKind();
      if (kind == ElementKind.METHOD || kind == ElementKind.CONSTRUCTOR) {
        continue;
      }
      if (kind == ElementKind.PARAMETER) {
        continue;
      }
      if (node.isInIterable()) {
        path.append('[')
            .append(node.getIndex() != null ? node.getIndex() : node.getKey())
            .append(']');
      }
      if (kind == ElementKind.PROPERTY && node.getName() != null) {
        if (!path.isEmpty()) {
          path.append('.');
        }
        path.append(node.getName());
      }
    }
    // Only request bodies are bean-validated (path and query parameters are read by hand), so a
    // violation on the
    // parameter itself is about the body.
    return path.isEmpty() ? "body" : path.toString();
  }
}
