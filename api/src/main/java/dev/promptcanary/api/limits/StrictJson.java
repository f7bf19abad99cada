package dev.promptcanary.api.limits;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * How request bodies are read: unknown fields are refused (naming the field) rather than ignored, a
 * value of the wrong type is refused rather than coerced ({@code "5"} for a number, {@code 1.5} for
 * an integer, {@code null} for a boolean), nesting and number lengths are bounded, and text may not
 * hold a NUL character, which PostgreSQL cannot store.
 */
public final class StrictJson {
  /** Deeper than any body the API takes (an eval suite's JSON schema is the deepest). */
  public static final int MAX_NESTING_DEPTH = 64;

  /** Digits in one number: more than a double or a long can carry is not a number we accept. */
  public static final int MAX_NUMBER_LENGTH = 100;

  public static final String NUL_MESSAGE = "must not contain the NUL character (U+0000)";

  /**
   * The coercions Jackson makes by default that a body may not rely on: text (or empty text) for a
   * number or a boolean, a number for a boolean, a number or a boolean for text.
   */
  private static final Map<LogicalType, List<CoercionInputShape>> REFUSED_COERCIONS =
      Map.of(
          LogicalType.Integer,
          List.of(CoercionInputShape.String, CoercionInputShape.EmptyString),
          LogicalType.Float,
          List.of(CoercionInputShape.String, CoercionInputShape.EmptyString),
          LogicalType.Boolean,
          List.of(
              CoercionInputShape.String,
              CoercionInputShape.EmptyString,
              CoercionInputShape.Integer),
          LogicalType.Textual,
          List.of(
              CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean));

  private StrictJson() {}

  public static void configure(ObjectMapper mapper, long maxRequestBytes) {
    mapper
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING_DEPTH)
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .maxStringLength((int) Math.min(Integer.MAX_VALUE, maxRequestBytes))
                .build());
    mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    mapper.enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS);
    mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    REFUSED_COERCIONS.forEach(
        (type, shapes) ->
            shapes.forEach(
                shape -> mapper.coercionConfigFor(type).setCoercion(shape, CoercionAction.Fail)));
    mapper.registerModule(
        new SimpleModule("promptcanary-strict-text")
            .addDeserializer(String.class, new NulFreeStringDeserializer()));
  }

  /** Text as Jackson reads it, refused when it holds a NUL. */
  static final class NulFreeStringDeserializer extends StdScalarDeserializer<String> {
    NulFreeStringDeserializer() {
      super(String.class);
    }

    @Override
    public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() != JsonToken.VALUE_STRING && p.currentToken() != JsonToken.FIELD_NAME) {
        // Numbers, booleans, objects and arrays where text was expected: the coercion rules above
        // (and StringDeserializer's own) decide, so "expected a string" is reported as before.
        return check(p, StringDeserializer.instance.deserialize(p, ctxt));
      }
      return check(p, p.getText());
    }

    private static String check(JsonParser p, String value) throws InvalidFormatException {
      if (value != null && value.indexOf('\u0000') >= 0) {
        throw new InvalidTextException(p, value);
      }
      return value;
    }
  }

  /** A text value that is valid JSON but not text the API can store: a 422 naming its field. */
  public static final class InvalidTextException extends InvalidFormatException {
    InvalidTextException(JsonParser p, String value) {
      super(p, NUL_MESSAGE, value, String.class);
    }
  }
}
