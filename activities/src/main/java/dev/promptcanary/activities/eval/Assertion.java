package dev.promptcanary.activities.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;
import java.util.Set;

/**
 * One expectation on a model answer. {@code type} decides which other fields it reads:
 *
 * <ul>
 *   <li>{@code equals}, {@code contains}, {@code not_contains}: {@code value} (exact,
 *       case-sensitive; {@code equals} ignores leading and trailing whitespace)
 *   <li>{@code regex}: {@code pattern}, found anywhere in the answer (anchor it with {@code ^...$}
 *       for a full match)
 *   <li>{@code valid_json}: nothing; the whole answer must parse as JSON
 *   <li>{@code json_schema}: {@code schema}, a JSON Schema (2020-12 unless it names another in
 *       {@code $schema})
 *   <li>{@code max_length}: {@code max} characters
 *   <li>{@code max_tokens}: {@code max} output tokens, as the model reported them
 *   <li>{@code judge}: {@code rubric} and {@code threshold} in [0, 1]; passes when the judge's
 *       score is at least it
 * </ul>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Assertion(
    String type,
    String value,
    String pattern,
    Map<String, Object> schema,
    Integer max,
    String rubric,
    Double threshold) {

  public static final Set<String> TYPES =
      Set.of(
          "equals",
          "contains",
          "not_contains",
          "regex",
          "valid_json",
          "json_schema",
          "max_length",
          "max_tokens",
          "judge");

  public static Assertion of(String type, String value) {
    return new Assertion(type, value, null, null, null, null, null);
  }

  public static Assertion regex(String pattern) {
    return new Assertion("regex", null, pattern, null, null, null, null);
  }

  public static Assertion schema(Map<String, Object> schema) {
    return new Assertion("json_schema", null, null, schema, null, null, null);
  }

  public static Assertion max(String type, int max) {
    return new Assertion(type, null, null, null, max, null, null);
  }

  public static Assertion judge(String rubric, double threshold) {
    return new Assertion("judge", null, null, null, null, rubric, threshold);
  }
}
