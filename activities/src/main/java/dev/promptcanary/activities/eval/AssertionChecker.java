package dev.promptcanary.activities.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.SpecVersionDetector;
import com.networknt.schema.ValidationMessage;
import dev.promptcanary.activities.model.ChatResponse;
import dev.promptcanary.activities.model.Judge;
import dev.promptcanary.activities.model.JudgeException;
import dev.promptcanary.activities.model.JudgeRequest;
import dev.promptcanary.activities.model.JudgeScore;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Checks an answer against assertions. Everything but {@code judge} is local and deterministic. */
public final class AssertionChecker {
  static final ObjectMapper STRICT_JSON =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

  private final Judge judge;

  /**
   * {@code judge} may be null when no judge is configured: a {@code judge} assertion then fails the
   * eval.
   */
  public AssertionChecker(Judge judge) {
    this.judge = judge;
  }

  /**
   * @param input what the model was asked (the rendered user message), shown to the judge
   * @throws JudgeException when a judge assertion cannot be scored (never turned into a silent
   *     zero)
   */
  public AssertionResult check(Assertion assertion, String input, ChatResponse response)
      throws JudgeException {
    String output = response.content() == null ? "" : response.content();
    return switch (assertion.type()) {
      case "equals" ->
          result(
              assertion,
              output.strip().equals(assertion.value().strip()),
              "answer is not equal to the expected value");
      case "contains" ->
          result(
              assertion,
              output.contains(assertion.value()),
              "answer does not contain '" + assertion.value() + "'");
      case "not_contains" ->
          result(
              assertion,
              !output.contains(assertion.value()),
              "answer contains '" + assertion.value() + "'");
      case "regex" ->
          result(
              assertion,
              Pattern.compile(assertion.pattern()).matcher(output).find(),
              "answer does not match /" + assertion.pattern() + "/");
      case "valid_json" -> {
        String error = jsonError(output);
        yield result(assertion, error == null, "answer is not valid JSON: " + error);
      }
      case "json_schema" -> checkSchema(assertion, output);
      case "max_length" ->
          result(
              assertion,
              output.length() <= assertion.max(),
              "answer is " + output.length() + " characters, more than " + assertion.max());
      case "max_tokens" ->
          result(
              assertion,
              response.outputTokens() <= assertion.max(),
              "answer is " + response.outputTokens() + " tokens, more than " + assertion.max());
      case "judge" -> checkJudge(assertion, input, output);
      default ->
          throw new IllegalArgumentException("unknown assertion type '" + assertion.type() + "'");
    };
  }

  private static AssertionResult result(Assertion assertion, boolean passed, String failure) {
    return new AssertionResult(assertion.type(), passed, passed ? null : failure, null);
  }

  private AssertionResult checkSchema(Assertion assertion, String output) {
    JsonNode document;
    try {
      document = STRICT_JSON.readTree(output);
    } catch (JsonProcessingException e) {
      return result(assertion, false, "answer is not valid JSON: " + e.getOriginalMessage());
    }
    Set<ValidationMessage> errors = compile(assertion.schema()).validate(document);
    String detail =
        errors.stream()
            .map(ValidationMessage::getMessage)
            .sorted(Comparator.naturalOrder())
            .limit(5)
            .collect(Collectors.joining("; "));
    return result(assertion, errors.isEmpty(), "answer does not match the schema: " + detail);
  }

  private AssertionResult checkJudge(Assertion assertion, String input, String output)
      throws JudgeException {
    if (judge == null) {
      throw new JudgeException("no judge is configured for judge assertions", null);
    }
    JudgeScore score = judge.score(new JudgeRequest(assertion.rubric(), input, output));
    if (!(score.score() >= 0 && score.score() <= 1)) {
      throw new JudgeException("judge answered a score outside [0, 1]: " + score.score(), null);
    }
    boolean passed = score.score() >= assertion.threshold();
    String detail =
        passed
            ? null
            : String.format(
                "judge score %.2f below %.2f%s",
                score.score(),
                assertion.threshold(),
                score.reason() == null || score.reason().isBlank() ? "" : ": " + score.reason());
    return new AssertionResult(assertion.type(), passed, detail, score.score());
  }

  /** Null when {@code text} is one JSON value, otherwise why not. */
  static String jsonError(String text) {
    if (text.isBlank()) {
      return "empty answer";
    }
    try {
      STRICT_JSON.readTree(text);
      return null;
    } catch (JsonProcessingException e) {
      return e.getOriginalMessage();
    }
  }

  /** Compiles a schema; throws IllegalArgumentException when it is not a usable JSON Schema. */
  static JsonSchema compile(Map<String, Object> schema) {
    JsonNode node = STRICT_JSON.valueToTree(schema);
    try {
      // Inside the try: an unknown $schema makes the detector throw its own exception type.
      SpecVersion.VersionFlag version =
          node.has("$schema") ? SpecVersionDetector.detect(node) : SpecVersion.VersionFlag.V202012;
      return JsonSchemaFactory.getInstance(version).getSchema(node);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }
}
