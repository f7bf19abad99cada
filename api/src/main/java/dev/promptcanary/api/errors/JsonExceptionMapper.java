package dev.promptcanary.api.errors;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.promptcanary.api.limits.StrictJson;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/**
 * Bodies that are not JSON, or JSON of the wrong shape, become a 400 naming the field that could
 * not be read.
 */
public class JsonExceptionMapper implements ExceptionMapper<JsonProcessingException> {

  @Override
  public Response toResponse(JsonProcessingException exception) {
    if (exception instanceof JsonParseException
        || !(exception instanceof JsonMappingException mapping)) {
      return ErrorResponses.build(
          ErrorResponse.of(400, "request body is not valid JSON: " + firstLine(exception), "body"));
    }
    String field = path(mapping);
    if (mapping instanceof StrictJson.InvalidTextException) {
      // Well-formed JSON, but text nothing downstream can store: invalid (422), not unreadable.
      return ErrorResponses.build(
          ErrorResponse.of(422, field + ": " + StrictJson.NUL_MESSAGE, field));
    }
    String reason;
    if (mapping instanceof UnrecognizedPropertyException unknown) {
      reason = "unknown field '" + unknown.getPropertyName() + "'";
    } else if (mapping instanceof InvalidFormatException invalid) {
      reason =
          "cannot read "
              + describe(invalid.getValue())
              + " as "
              + simpleName(invalid.getTargetType());
    } else if (mapping instanceof MismatchedInputException mismatched
        && mismatched.getTargetType() != null) {
      reason = "expected " + simpleName(mismatched.getTargetType());
    } else {
      reason = firstLine(exception);
    }
    return ErrorResponses.build(ErrorResponse.of(400, field + ": " + reason, field));
  }

  private static String path(JsonMappingException exception) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : exception.getPath()) {
      if (ref.getFieldName() != null) {
        if (!path.isEmpty()) {
          path.append('.');
        }
        path.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.isEmpty() ? "body" : path.toString();
  }

  private static String simpleName(Class<?> type) {
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "an integer";
    }
    if (type == Double.class || type == double.class) {
      return "a number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "a string";
    }
    if (java.util.Collection.class.isAssignableFrom(type)) {
      return "an array";
    }
    if (type == java.time.Instant.class) {
      return "an ISO-8601 instant such as 2026-01-31T12:00:00Z";
    }
    return "an object (" + type.getSimpleName() + ")";
  }

  private static String describe(Object value) {
    String text = value instanceof String ? "'" + value + "'" : String.valueOf(value);
    // The value is echoed to help, not in full: it may be a megabyte.
    return text.length() > 80 ? text.substring(0, 80) + "..." : text;
  }

  private static String firstLine(JsonProcessingException exception) {
    String message = exception.getOriginalMessage();
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
