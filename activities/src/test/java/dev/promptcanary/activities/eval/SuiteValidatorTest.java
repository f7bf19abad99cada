package dev.promptcanary.activities.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SuiteValidatorTest {
  private static EvalCase ok(String id) {
    return new EvalCase(id, Map.of("question", "q"), List.of(Assertion.of("contains", "x")));
  }

  @Test
  void aGoodSuiteHasNoProblems() {
    EvalSuite suite =
        new EvalSuite(
            "s",
            List.of(
                ok("a"),
                new EvalCase(
                    "b",
                    Map.of(),
                    List.of(
                        Assertion.regex("\\d+"),
                        Assertion.schema(Map.of("type", "object")),
                        Assertion.max("max_tokens", 10),
                        Assertion.judge("helpful?", 0.7)))),
            new EvalGate(0.9, 0.7, 0.05));
    assertThat(SuiteValidator.validate(suite)).isEmpty();
  }

  @Test
  void namesEachProblemByItsJsonPath() {
    EvalSuite suite =
        new EvalSuite(
            "s",
            List.of(
                ok("a"),
                ok("a"),
                new EvalCase("c", Map.of(), List.of(Assertion.max("max_length", 0))),
                new EvalCase(
                    "d",
                    Map.of(),
                    List.of(
                        Assertion.regex("([a-z"),
                        Assertion.of("sounds_right", null),
                        Assertion.schema(Map.of("type", 12)),
                        Assertion.judge(" ", 1.5)))),
            new EvalGate(1.2, null, null));
    assertThat(SuiteValidator.validate(suite))
        .extracting(SuiteProblem::field)
        .containsExactly(
            "cases[1].id",
            "cases[2].assertions[0].max",
            "cases[3].assertions[0].pattern",
            "cases[3].assertions[1].type",
            "cases[3].assertions[2].schema",
            "cases[3].assertions[3].rubric",
            "cases[3].assertions[3].threshold",
            "gate.minPassRate");
  }

  @Test
  void aNullCaseIsNamedNotThrown() {
    EvalSuite suite = new EvalSuite("s", java.util.Arrays.asList(ok("a"), null), null);
    assertThat(SuiteValidator.validate(suite)).extracting(SuiteProblem::field).contains("cases[1]");
  }

  @Test
  void aSuiteNeedsCasesAndAGate() {
    assertThat(SuiteValidator.validate(new EvalSuite("Bad Name", List.of(), null)))
        .extracting(SuiteProblem::field)
        .containsExactly("name", "cases", "gate");
    assertThat(
            SuiteValidator.validate(
                new EvalSuite("s", List.of(ok("a")), new EvalGate(null, null, null))))
        .extracting(SuiteProblem::field)
        .containsExactly("gate");
  }
}
