package dev.promptcanary.activities.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.promptcanary.activities.model.ChatResponse;
import dev.promptcanary.activities.model.JudgeException;
import dev.promptcanary.activities.model.JudgeScore;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AssertionCheckerTest {
  private final AssertionChecker checker =
      new AssertionChecker(
          request ->
              new JudgeScore(
                  request.output().contains("polite") ? 0.9 : 0.3, "tone", "judge-m", "r1"));

  private AssertionResult check(Assertion assertion, String output) throws JudgeException {
    return checker.check(assertion, "the question", new ChatResponse(output, "m", 10, 7, 0.001, 5));
  }

  @Test
  void equalsComparesTheTrimmedAnswer() throws Exception {
    assertThat(check(Assertion.of("equals", "Paris"), " Paris\n").passed()).isTrue();
    AssertionResult failed = check(Assertion.of("equals", "Paris"), "paris");
    assertThat(failed.passed()).isFalse();
    assertThat(failed.detail()).contains("not equal");
  }

  @Test
  void containsAndNotContains() throws Exception {
    assertThat(check(Assertion.of("contains", "refund"), "We will refund you.").passed()).isTrue();
    assertThat(check(Assertion.of("contains", "refund"), "We will help.").passed()).isFalse();
    assertThat(check(Assertion.of("not_contains", "sorry"), "We will help.").passed()).isTrue();
    AssertionResult failed = check(Assertion.of("not_contains", "sorry"), "We are sorry.");
    assertThat(failed.passed()).isFalse();
    assertThat(failed.detail()).contains("'sorry'");
  }

  @Test
  void regexIsFoundAnywhere() throws Exception {
    assertThat(check(Assertion.regex("order #\\d{5}"), "Your order #12345 shipped").passed())
        .isTrue();
    assertThat(check(Assertion.regex("^\\d+$"), "12a").passed()).isFalse();
  }

  @Test
  void validJsonNeedsOneWholeValue() throws Exception {
    Assertion json = new Assertion("valid_json", null, null, null, null, null, null);
    assertThat(check(json, "{\"a\": [1, 2]}").passed()).isTrue();
    assertThat(check(json, "{\"a\": 1} trailing").passed()).isFalse();
    AssertionResult failed = check(json, "not json");
    assertThat(failed.passed()).isFalse();
    assertThat(failed.detail()).startsWith("answer is not valid JSON");
  }

  @Test
  void jsonSchemaValidatesTheAnswer() throws Exception {
    Assertion schema =
        Assertion.schema(
            Map.of(
                "type", "object",
                "required", List.of("answer", "confidence"),
                "properties",
                    Map.of(
                        "answer", Map.of("type", "string"),
                        "confidence", Map.of("type", "number", "minimum", 0, "maximum", 1))));
    assertThat(check(schema, "{\"answer\": \"yes\", \"confidence\": 0.8}").passed()).isTrue();
    AssertionResult outOfRange = check(schema, "{\"answer\": \"yes\", \"confidence\": 3}");
    assertThat(outOfRange.passed()).isFalse();
    assertThat(outOfRange.detail()).contains("confidence");
    AssertionResult missing = check(schema, "{\"answer\": \"yes\"}");
    assertThat(missing.passed()).isFalse();
    assertThat(missing.detail()).contains("confidence");
    assertThat(check(schema, "yes").passed()).isFalse();
  }

  @Test
  void maxLengthCountsCharactersAndMaxTokensTheModelsOutputTokens() throws Exception {
    assertThat(check(Assertion.max("max_length", 5), "12345").passed()).isTrue();
    assertThat(check(Assertion.max("max_length", 5), "123456").detail()).contains("6 characters");
    assertThat(check(Assertion.max("max_tokens", 7), "whatever").passed()).isTrue();
    AssertionResult tooMany = check(Assertion.max("max_tokens", 6), "whatever");
    assertThat(tooMany.passed()).isFalse();
    assertThat(tooMany.detail()).contains("7 tokens");
  }

  @Test
  void judgePassesAtTheThresholdAndRecordsTheScore() throws Exception {
    AssertionResult good = check(Assertion.judge("Is it polite?", 0.8), "a polite answer");
    assertThat(good.passed()).isTrue();
    assertThat(good.score()).isEqualTo(0.9);
    AssertionResult bad = check(Assertion.judge("Is it polite?", 0.8), "a rude answer");
    assertThat(bad.passed()).isFalse();
    assertThat(bad.score()).isEqualTo(0.3);
    assertThat(bad.detail()).contains("0.30 below 0.80").contains("tone");
  }

  @Test
  void aJudgeFailureOrMissingJudgeIsAnErrorNeverAZero() {
    AssertionChecker failing =
        new AssertionChecker(
            request -> {
              throw new JudgeException("judge answered something that is not a score", null);
            });
    assertThatThrownBy(
            () ->
                failing.check(
                    Assertion.judge("r", 0.5), "in", new ChatResponse("out", "m", 1, 1, 0, 1)))
        .isInstanceOf(JudgeException.class)
        .hasMessageContaining("not a score");
    assertThatThrownBy(
            () ->
                new AssertionChecker(null)
                    .check(
                        Assertion.judge("r", 0.5), "in", new ChatResponse("out", "m", 1, 1, 0, 1)))
        .isInstanceOf(JudgeException.class)
        .hasMessageContaining("no judge");
  }
}
