package dev.promptcanary.activities.stats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.domain.JudgeHealthGate;
import dev.promptcanary.workflows.domain.Verdict;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class JudgeHealthCheckTest {
  private static final String JUDGE = "sim-judge/j1-abc";
  private final JudgeHealthCheck check = new JudgeHealthCheck(JudgeHealthGate.defaults());

  @Test
  void aJudgeThatRarelyFailsAndSamplesBothArmsAlikeIsHealthy() {
    Verdict v = check.evaluate(1000, new JudgeSample(JUDGE, 98, 2, 882, 18, 0));

    assertThat(v.gate()).isEqualTo(GateKind.JUDGE_HEALTH);
    assertThat(v.decision()).isEqualTo(Decision.NON_INFERIOR);
    assertThat(v.reason())
        .startsWith("judge " + JUDGE + " healthy")
        .contains("98 canary / 882 stable");
  }

  @Test
  void aJudgeFailingEveryAttemptHoldsOnceThereAreEnoughAttempts() {
    assertThat(check.evaluate(5000, new JudgeSample(JUDGE, 0, 10, 0, 9, 0)).decision())
        .as("19 attempts are below the minimum of 20")
        .isEqualTo(Decision.NON_INFERIOR);

    Verdict v = check.evaluate(5000, new JudgeSample(JUDGE, 0, 10, 0, 10, 0));
    assertThat(v.decision()).isEqualTo(Decision.JUDGE_UNHEALTHY);
    assertThat(v.reason())
        .contains("is failing")
        .contains("20 of all 20 attempts")
        .contains("tolerated 10.0%");
    assertThat(v.lower()).isGreaterThan(0.10);
  }

  @Test
  void aFailureShareIsOnlyHeldOnceItIsShownAboveTheTolerance() {
    // 30% of 100 attempts: far enough above 10% to be sure.
    assertThat(check.evaluate(5000, new JudgeSample(JUDGE, 35, 15, 35, 15, 0)).decision())
        .isEqualTo(Decision.JUDGE_UNHEALTHY);
    // 13% of 100: could be a 10% judge having a bad run.
    assertThat(check.evaluate(5000, new JudgeSample(JUDGE, 43, 7, 44, 6, 0)).decision())
        .isEqualTo(Decision.NON_INFERIOR);
    // 13% of 20,000 is shown above 10%.
    assertThat(check.evaluate(5000, new JudgeSample(JUDGE, 8700, 1300, 8700, 1300, 0)).decision())
        .isEqualTo(Decision.JUDGE_UNHEALTHY);
  }

  @Test
  void aJudgeFailingOnOneArmIsHeldEvenWhenAllAttemptsTogetherLookFine() {
    // At 10%, 30 of the canary's 100 attempts failed: only 4.8% of all 1,000 attempts.
    Verdict v = check.evaluate(1000, new JudgeSample(JUDGE, 70, 30, 882, 18, 0));

    assertThat(v.decision()).isEqualTo(Decision.JUDGE_UNHEALTHY);
    assertThat(v.reason()).contains("30 of the canary's 100 attempts").contains("30.0%");
  }

  @Test
  void scoresByAnotherJudgeCountAsMissesOfTheRolloutsJudge() {
    Verdict v = check.evaluate(5000, new JudgeSample(JUDGE, 20, 0, 20, 0, 40));

    assertThat(v.decision()).isEqualTo(Decision.JUDGE_UNHEALTHY);
    assertThat(v.reason()).contains("0 (+40 scored by another judge) of all 80 attempts");
  }

  @Test
  void aJudgeScoringTheCanaryLessThanItsShareOfTrafficHolds() {
    // 50% weight, but the canary has only 30% of 1,000 scores (e.g. the judge times out on its
    // longer answers).
    Verdict v = check.evaluate(5000, new JudgeSample(JUDGE, 300, 0, 700, 0, 0));

    assertThat(v.decision()).isEqualTo(Decision.JUDGE_UNHEALTHY);
    assertThat(v.reason())
        .contains("scores one arm more than the other")
        .contains("30.0%")
        .contains("50.0% +/- 12.5%");
    assertThat(v.upper()).isLessThan(0.5 - 0.125);
  }

  @Test
  void theBalanceIsCheckedOnScoredSessionsNotOnScores() {
    // 10% weight; the canary's 100 of 1,000 scored sessions happen to include a few long ones: 36%
    // of the scores.
    Verdict longSessions =
        check.evaluate(1000, new JudgeSample(JUDGE, 1500, 0, 2700, 0, 0, 100, 900));
    assertThat(longSessions.decision())
        .as("sessions split as routed: healthy")
        .isEqualTo(Decision.NON_INFERIOR);
    // The same scores from a judge that covers only 20 of the canary's sessions against 980 of the
    // baseline's.
    Verdict skipped = check.evaluate(1000, new JudgeSample(JUDGE, 1500, 0, 2700, 0, 0, 20, 980));
    assertThat(skipped.decision()).isEqualTo(Decision.JUDGE_UNHEALTHY);
    assertThat(skipped.reason()).contains("of the 1000 sessions it scored");
  }

  @Test
  void smallImbalancesAndSmallSamplesDoNotHold() {
    assertThat(check.evaluate(5000, new JudgeSample(JUDGE, 470, 0, 530, 0, 0)).decision())
        .as("6 points off at 50% is within the 25% tolerance")
        .isEqualTo(Decision.NON_INFERIOR);
    assertThat(check.evaluate(1000, new JudgeSample(JUDGE, 2, 0, 28, 0, 0)).decision())
        .as("30 scores cannot show a 10% canary share is off")
        .isEqualTo(Decision.NON_INFERIOR);
    assertThat(check.evaluate(5000, new JudgeSample(JUDGE, 400, 0, 600, 0, 0)).decision())
        .as("40% at 50% is inside the tolerance band")
        .isEqualTo(Decision.NON_INFERIOR);
    assertThat(check.evaluate(1000, new JudgeSample(JUDGE, 0, 0, 1000, 0, 0)).decision())
        .as("no canary scores in 1,000 at 10% is shown outside 7.5%..12.5%")
        .isEqualTo(Decision.JUDGE_UNHEALTHY);
  }

  @Test
  void aDisabledGateIsNotConsultedButAZeroToleranceStillWorks() {
    JudgeHealthCheck strict = new JudgeHealthCheck(new JudgeHealthGate(true, 0.0, 0.25, 0.001, 5));
    assertThat(strict.evaluate(5000, new JudgeSample(JUDGE, 50, 0, 50, 0, 0)).decision())
        .isEqualTo(Decision.NON_INFERIOR);
    assertThat(strict.evaluate(5000, new JudgeSample(JUDGE, 45, 5, 50, 5, 0)).decision())
        .isEqualTo(Decision.JUDGE_UNHEALTHY);
  }

  /**
   * Under continuous monitoring a judge failing exactly at the tolerated share, sampling both arms
   * alike, must rarely be held: 300 stages, a look after every attempt, up to 1,000 attempts each.
   */
  @Test
  void aJudgeAtTheToleranceIsRarelyHeldUnderContinuousLooks() {
    int holds = 0;
    for (int run = 0; run < 300; run++) {
      SplittableRandom rng = new SplittableRandom(7_919L * run + 3);
      long[] c = new long[2];
      long[] b = new long[2];
      for (int i = 0; i < 1000; i++) {
        long[] arm = rng.nextDouble() < 0.2 ? c : b;
        arm[rng.nextDouble() < 0.10 ? 1 : 0]++;
        if (check.evaluate(2000, new JudgeSample(JUDGE, c[0], c[1], b[0], b[1], 0)).decision()
            == Decision.JUDGE_UNHEALTHY) {
          holds++;
          break;
        }
      }
    }
    // Each check holds its alpha of 0.001 over all looks; two checks, 300 stages: 0.6 expected.
    // More than 4 has probability below 0.5% if they do.
    assertThat(holds).isLessThanOrEqualTo(4);
  }
}
