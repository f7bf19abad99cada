package dev.promptcanary.workflows.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.domain.Verdict;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A {@code notify-only} rollout's regressions ({@link ChangeIds#NOTIFY_ONLY_ALERTS}) and dry-run
 * verdicts, on the time-skipping test server. The analysis decides what the overall verdict is
 * (CanaryAnalysisDryRunTest tests that on real statistics); the workflow alerts and records.
 */
class RolloutNotifyOnlyTest extends RolloutTestServer {

  private static Verdict verdict(GateKind gate, Decision decision, String reason) {
    return verdict(gate, decision, reason, false);
  }

  private static Verdict verdict(GateKind gate, Decision decision, String reason, boolean dryRun) {
    return new Verdict(gate, decision, 900, 900, 0.02, 0.01, 0.03, 0.002, reason, null, dryRun);
  }

  /** What the analysis answers a notify-only look whose error rate regressed. */
  private static AnalysisReport errorRegressionNotActedOn() {
    Verdict errors = verdict(GateKind.ERROR_RATE, Decision.REGRESSION, "error rate +2.0 points");
    Verdict quality = verdict(GateKind.QUALITY, Decision.NON_INFERIOR, "quality within margin");
    Verdict overall =
        verdict(
            GateKind.OVERALL,
            Decision.INCONCLUSIVE,
            "notify-only, regression not acted on (error_rate); keep waiting on error_rate");
    return new AnalysisReport(overall, List.of(quality, errors), 300, 300, 1000, 1000);
  }

  @Test
  void aNotifyOnlyRegressionAlertsOnceAndTheRolloutGoesOnToItsInconclusivePolicy() {
    fake.analysis = r -> errorRegressionNotActedOn();
    RolloutWorkflow workflow =
        Scenarios.start(client, Scenarios.notifyOnly(Scenarios.spec(InconclusivePolicy.HOLD, 0)));
    env.sleep(Duration.ofMinutes(30));

    assertThat(fake.looks).as("several looks").hasSizeGreaterThan(5);
    assertThat(fake.looks).allMatch(AnalysisRequest::notifyOnly);
    assertThat(workflow.progress().state()).isEqualTo(RolloutState.CANARY);
    assertThat(fake.routing).as("never rolled back").hasSize(1);
    assertThat(fake.alertEvents())
        .as("alerted once, not at every look")
        .containsExactly("regression_notified");
    AlertEvent alert = fake.alerts.get(0);
    assertThat(alert.reason())
        .startsWith("notify-only: stage 1 shows a regression, not rolled back")
        .contains("error rate +2.0 points");
    assertThat(alert.verdict().gate()).isEqualTo(GateKind.ERROR_RATE);
    assertThat(workflow.progress().lastVerdicts())
        .extracting(Verdict::gate, Verdict::decision)
        .contains(org.assertj.core.groups.Tuple.tuple(GateKind.ERROR_RATE, Decision.REGRESSION));
    assertThat(
            fake.records.stream()
                .flatMap(r -> r.checkpoint().timeline().stream())
                .map(TimelineEntry::event))
        .contains("regression notified");

    // The gate holds the promotion: at the stage's maximum bake (1 h) the HOLD policy applies.
    env.sleep(Duration.ofMinutes(40));
    assertThat(workflow.progress().state()).isEqualTo(RolloutState.PAUSED);
    assertThat(workflow.progress().pauseReason()).isEqualTo(PauseReason.INCONCLUSIVE);
    assertThat(fake.alertEvents()).containsExactly("regression_notified", "held");
    workflow.abort(new ControlRequest("ana", "errors are real", "deployer"));
    assertThat(result().state()).isEqualTo(RolloutState.ABORTED);
  }

  @Test
  void anEnforcedRolloutWithTheSameRegressionRollsBack() {
    fake.analysis =
        r -> {
          AnalysisReport notified = errorRegressionNotActedOn();
          Verdict overall =
              verdict(GateKind.OVERALL, Decision.REGRESSION, "roll back, error rate +2.0 points");
          return new AnalysisReport(overall, notified.gates(), 300, 300, 1000, 1000);
        };
    Scenarios.start(client, Scenarios.spec(InconclusivePolicy.HOLD, 0));

    assertThat(result().state()).isEqualTo(RolloutState.ROLLED_BACK);
    assertThat(fake.looks).noneMatch(AnalysisRequest::notifyOnly);
    assertThat(fake.alertEvents()).containsExactly("rolled_back");
  }

  @Test
  void aDryRunGateThatWouldHaveRolledBackIsRecordedAndShownButThePromotionGoesOn() {
    // what the analysis answers for a dry-run gate (CanaryAnalysis writes the reason's prefix)
    Verdict dryErrors =
        verdict(
            GateKind.ERROR_RATE,
            Decision.REGRESSION,
            "dry run, not deciding: error rate +2.0 points",
            true);
    Verdict quality = verdict(GateKind.QUALITY, Decision.NON_INFERIOR, "quality within margin");
    Verdict overall = verdict(GateKind.OVERALL, Decision.NON_INFERIOR, "promote: no gate holds");
    fake.analysis =
        r -> new AnalysisReport(overall, List.of(quality, dryErrors), 300, 300, 1000, 1000);
    // even in notify-only mode a dry-run gate's regression is not alerted: it never decides
    Scenarios.start(client, Scenarios.notifyOnly(Scenarios.spec(InconclusivePolicy.HOLD, 0)));

    assertThat(result().state()).isEqualTo(RolloutState.PROMOTED);
    assertThat(fake.alertEvents()).containsExactly("promoted");
    List<Verdict> last = fake.records.get(fake.records.size() - 1).checkpoint().lastVerdicts();
    assertThat(last)
        .filteredOn(Verdict::dryRun)
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.gate()).isEqualTo(GateKind.ERROR_RATE);
              assertThat(v.decision()).isEqualTo(Decision.REGRESSION);
              assertThat(v.reason()).startsWith("dry run, not deciding: ");
            });
  }
}
