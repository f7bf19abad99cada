package dev.promptcanary.activities.eval;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EvalGateCheckTest {
  private static ArmStats arm(int version, int passed, Double meanScore) {
    return new ArmStats(version, 4, passed, passed / 4.0, 4, meanScore, 0, 0, 0);
  }

  @Test
  void aJudgeScoreDropBeyondTheAllowedOneBlocksWithBothFigures() {
    EvalGateCheck.Result result =
        EvalGateCheck.decide(
            "support", new EvalGate(null, null, 0.1), arm(2, 4, 0.6), arm(1, 4, 0.8));

    assertThat(result.passed()).isFalse();
    assertThat(result.reason())
        .contains("mean judge score 0.60 is 0.20 below the baseline's 0.80 (allowed drop 0.10)")
        .doesNotContain("pass rate");
  }

  @Test
  void dropsWithinTheAllowedOnePass() {
    EvalGateCheck.Result result =
        EvalGateCheck.decide(
            "support", new EvalGate(null, null, 0.25), arm(2, 3, 0.7), arm(1, 4, 0.8));

    assertThat(result.passed()).isTrue();
    assertThat(result.reason()).startsWith("eval suite support passed: ");
  }
}
