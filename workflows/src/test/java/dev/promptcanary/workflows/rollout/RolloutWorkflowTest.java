package dev.promptcanary.workflows.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;
import io.temporal.client.WorkflowUpdateException;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The rollout's logic on Temporal's test server with time skipping, against scripted activities.
 */
class RolloutWorkflowTest extends RolloutTestServer {
  static final String ID = Scenarios.ID;

  static RolloutSpec spec(InconclusivePolicy policy, int maxExtensions) {
    return Scenarios.spec(policy, maxExtensions);
  }

  RolloutWorkflow start(RolloutSpec spec) {
    return Scenarios.start(client, spec);
  }

  @Test
  void aGoodCandidateIsPromotedStageByStage() {
    start(spec(InconclusivePolicy.HOLD, 0));
    RolloutResult result = result();

    assertThat(result.state()).isEqualTo(RolloutState.PROMOTED);
    assertThat(fake.routing)
        .extracting(RoutingCommand::canaryWeightBp)
        .containsExactly(500, 2500, 5000, 0);
    assertThat(fake.routing.get(0).claim()).isTrue();
    RoutingCommand promotion = fake.lastRouting();
    assertThat(promotion.release()).isTrue();
    assertThat(promotion.stableVersion()).isEqualTo(2);
    assertThat(promotion.canaryVersion()).isNull();
    // each write is fenced one above the last
    assertThat(fake.routing).extracting(RoutingCommand::sequence).containsExactly(1L, 2L, 3L, 4L);
    assertThat(fake.alertEvents()).containsExactly("promoted");
    // a stage passes only after its minimum bake: three stages of at least 600 s each
    assertThat(
            fake.looks.get(fake.looks.size() - 1).stageSinceMillis()
                - fake.looks.get(0).stageSinceMillis())
        .isGreaterThanOrEqualTo(1_200_000);
  }

  @Test
  void aQualityRegressionRollsBackAtOnce() {
    fake.analysis = r -> FakeActivities.report(Decision.REGRESSION, GateKind.QUALITY, 40, 800);
    start(spec(InconclusivePolicy.HOLD, 0));
    RolloutResult result = result();

    assertThat(result.state()).isEqualTo(RolloutState.ROLLED_BACK);
    assertThat(result.reason()).contains("regression").contains("QUALITY");
    RoutingCommand rollback = fake.lastRouting();
    assertThat(rollback.release()).isTrue();
    assertThat(rollback.stableVersion()).isEqualTo(1);
    assertThat(rollback.canaryWeightBp()).isZero();
    assertThat(fake.alertEvents()).containsExactly("rolled_back");
    assertThat(fake.alerts.get(0).verdict().gate()).isEqualTo(GateKind.QUALITY);
  }

  @Test
  void aSafetyRegressionRollsBackEvenBeforeTheStageIsComplete() {
    fake.analysis = r -> FakeActivities.report(Decision.REGRESSION, GateKind.SAFETY_RATE, 3, 60);
    start(spec(InconclusivePolicy.HOLD, 0));
    RolloutResult result = result();

    assertThat(result.state()).isEqualTo(RolloutState.ROLLED_BACK);
    assertThat(result.reason()).contains("SAFETY_RATE");
    assertThat(fake.looks).hasSize(1);
  }

  @Test
  void aSampleRatioMismatchHoldsAtItsWeightAndTheResumedStageStartsOver() {
    fake.analysis =
        r -> FakeActivities.report(Decision.SAMPLE_RATIO_MISMATCH, GateKind.SAMPLE_RATIO, 500, 500);
    // the ROLLBACK inconclusive policy would roll back at the maximum bake: the hold does not count
    // as bake
    RolloutWorkflow workflow = start(spec(InconclusivePolicy.ROLLBACK, 0));
    env.sleep(Duration.ofMinutes(5));

    RolloutProgress held = workflow.progress();
    assertThat(held.state()).isEqualTo(RolloutState.PAUSED);
    assertThat(held.pauseReason()).isEqualTo(PauseReason.SAMPLE_RATIO_MISMATCH);
    assertThat(held.canaryWeightBp()).isEqualTo(500);
    env.sleep(Duration.ofHours(3));
    assertThat(workflow.progress().state()).isEqualTo(RolloutState.PAUSED);
    assertThat(fake.routing).as("never rolled back, never promoted").hasSize(1);
    assertThat(fake.alertEvents()).containsExactly("held");
    assertThat(fake.alerts.get(0).reason())
        .contains("sample ratio mismatch")
        .contains("SAMPLE_RATIO");
    assertThat(fake.alerts.get(0).verdict().decision()).isEqualTo(Decision.SAMPLE_RATIO_MISMATCH);
    RolloutRecord heldRecord = fake.records.get(fake.records.size() - 1);
    assertThat(heldRecord.checkpoint().pauseReason()).isEqualTo(PauseReason.SAMPLE_RATIO_MISMATCH);
    long stageStart = fake.looks.get(0).stageSinceMillis();
    int looksWhenHeld = fake.looks.size();

    fake.analysis = r -> FakeActivities.report(Decision.NON_INFERIOR, GateKind.QUALITY, 300, 300);
    ControlResult resumed = workflow.resume(new ControlRequest("ana", "load balancer fixed"));
    assertThat(resumed.state()).isEqualTo(RolloutState.CANARY);
    assertThat(workflow.progress().pauseReason()).isNull();
    assertThat(result().state()).isEqualTo(RolloutState.PROMOTED);
    assertThat(fake.looks.get(looksWhenHeld).stageSinceMillis())
        .as("the stage's test starts over after the hold")
        .isGreaterThanOrEqualTo(stageStart + Duration.ofHours(3).toMillis());
    assertThat(fake.looks.get(0).stageRestart()).as("a stage's first test").isZero();
    assertThat(fake.looks.get(looksWhenHeld).stageRestart())
        .as("the restarted test spends its own alpha")
        .isOne();
    assertThat(fake.looks.get(fake.looks.size() - 1).stageRestart())
        .as("the next stage's first test")
        .isZero();
    assertThat(fake.records.get(fake.records.size() - 1).checkpoint().timeline())
        .extracting(TimelineEntry::event)
        .contains("held", "resumed", "stage restarted");
  }

  @Test
  void aSampleRatioMismatchRollsBackWhenTheSpecAsksForIt() {
    fake.analysis =
        r -> FakeActivities.report(Decision.SAMPLE_RATIO_MISMATCH, GateKind.SAMPLE_RATIO, 500, 500);
    start(Scenarios.rollbackOnSrm(spec(InconclusivePolicy.HOLD, 0)));
    RolloutResult result = result();
    assertThat(result.state()).isEqualTo(RolloutState.ROLLED_BACK);
    assertThat(result.reason()).contains("traffic split is broken");
    assertThat(fake.lastRouting().canaryWeightBp()).isZero();
    assertThat(fake.alertEvents()).containsExactly("rolled_back");
  }

  @Test
  void aCandidateBelowTheEvalGateNeverTakesTraffic() {
    fake.eval = new EvalSummary(false, "pass rate 0.62 is below the gate 0.90", 50, 0.62, 0.94);
    start(spec(InconclusivePolicy.HOLD, 0));
    RolloutResult result = result();

    assertThat(result.state()).isEqualTo(RolloutState.EVAL_BLOCKED);
    assertThat(result.reason()).contains("below the gate");
    assertThat(fake.routing).isEmpty();
    assertThat(fake.alertEvents()).containsExactly("eval_blocked");
  }

  @Test
  void anEmergencyBypassPromotesNowAndIsAudited() {
    fake.analysis = r -> FakeActivities.report(Decision.INCONCLUSIVE, GateKind.QUALITY, 10, 10);
    RolloutWorkflow workflow = start(spec(InconclusivePolicy.HOLD, 0));
    env.sleep(Duration.ofMinutes(2));

    ControlResult answer =
        workflow.bypass(new ControlRequest("oncall-bob", "hotfix for incident 42"));
    assertThat(answer.state()).isEqualTo(RolloutState.BYPASSED);
    assertThat(result().state()).isEqualTo(RolloutState.BYPASSED);
    assertThat(fake.lastRouting().stableVersion()).isEqualTo(2);
    assertThat(fake.lastRouting().release()).isTrue();
    assertThat(fake.audits)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.actor()).isEqualTo("oncall-bob");
              assertThat(a.action()).isEqualTo("rollout.bypass");
              assertThat(a.reason()).isEqualTo("hotfix for incident 42");
            });
  }

  @Test
  void anAbortRollsBackNow() {
    fake.analysis = r -> FakeActivities.report(Decision.INCONCLUSIVE, GateKind.QUALITY, 10, 10);
    RolloutWorkflow workflow = start(spec(InconclusivePolicy.HOLD, 0));
    env.sleep(Duration.ofMinutes(2));

    assertThat(workflow.abort(new ControlRequest("ana", "wrong version")).state())
        .isEqualTo(RolloutState.ABORTED);
    assertThat(result().state()).isEqualTo(RolloutState.ABORTED);
    assertThat(fake.lastRouting().stableVersion()).isEqualTo(1);
    assertThat(fake.lastRouting().canaryWeightBp()).isZero();
  }

  @Test
  void controlsNeedAReasonAndAFittingState() {
    fake.analysis = r -> FakeActivities.report(Decision.INCONCLUSIVE, GateKind.QUALITY, 10, 10);
    RolloutWorkflow workflow = start(spec(InconclusivePolicy.HOLD, 0));
    env.sleep(Duration.ofMinutes(1));

    assertThatThrownBy(() -> workflow.bypass(new ControlRequest("ana", " ")))
        .isInstanceOf(WorkflowUpdateException.class)
        .hasStackTraceContaining("reason is required");
    assertThatThrownBy(() -> workflow.resume(new ControlRequest("ana", "go on")))
        .isInstanceOf(WorkflowUpdateException.class)
        .hasStackTraceContaining("not paused");
    assertThat(fake.audits).isEmpty();
    workflow.abort(new ControlRequest("ana", "done testing"));
  }

  @Test
  void pauseHoldsTheWeightAndStopsTheClock() {
    fake.analysis = r -> FakeActivities.report(Decision.INCONCLUSIVE, GateKind.QUALITY, 10, 10);
    RolloutWorkflow workflow = start(spec(InconclusivePolicy.ROLLBACK, 0));
    env.sleep(Duration.ofMinutes(30));
    assertThat(workflow.pause(new ControlRequest("ana", "investigating")).state())
        .isEqualTo(RolloutState.PAUSED);
    int looksWhenPaused = fake.looks.size();

    // far past the stage's one-hour maximum bake, but paused: no look, no rollback
    env.sleep(Duration.ofHours(5));
    assertThat(workflow.progress().state()).isEqualTo(RolloutState.PAUSED);
    assertThat(fake.looks).hasSize(looksWhenPaused);
    assertThat(fake.routing).hasSize(1);

    assertThat(workflow.resume(new ControlRequest("ana", "all clear")).state())
        .isEqualTo(RolloutState.CANARY);
    // 30 min baked before the pause; the ROLLBACK policy fires after the remaining ~30 min, not at
    // once
    env.sleep(Duration.ofMinutes(20));
    assertThat(workflow.progress().state()).isEqualTo(RolloutState.CANARY);
    RolloutResult result = result();
    assertThat(result.state()).isEqualTo(RolloutState.ROLLED_BACK);
    assertThat(result.reason()).contains("maximum bake");
  }

  @Test
  void inconclusiveWithTheHoldPolicyWaitsForAPerson() {
    fake.analysis = r -> FakeActivities.report(Decision.INCONCLUSIVE, GateKind.QUALITY, 300, 300);
    RolloutWorkflow workflow = start(spec(InconclusivePolicy.HOLD, 0));
    env.sleep(Duration.ofHours(2));

    assertThat(workflow.progress().state()).isEqualTo(RolloutState.PAUSED);
    assertThat(fake.alertEvents()).containsExactly("held");
    fake.analysis = r -> FakeActivities.report(Decision.NON_INFERIOR, GateKind.QUALITY, 300, 300);
    workflow.resume(new ControlRequest("ana", "looked at it, fine"));
    assertThat(result().state()).isEqualTo(RolloutState.PROMOTED);
  }

  @Test
  void inconclusiveWithTheExtendPolicyExtendsWithinItsBudgetThenHolds() {
    fake.analysis = r -> FakeActivities.report(Decision.INCONCLUSIVE, GateKind.QUALITY, 300, 300);
    RolloutWorkflow workflow = start(spec(InconclusivePolicy.EXTEND, 2));
    env.sleep(Duration.ofMinutes(150));
    assertThat(workflow.progress().state()).isEqualTo(RolloutState.CANARY);
    assertThat(fake.alertEvents()).containsExactly("extended", "extended");

    env.sleep(Duration.ofMinutes(60));
    assertThat(workflow.progress().state()).isEqualTo(RolloutState.PAUSED);
    assertThat(fake.alertEvents()).containsExactly("extended", "extended", "held");
    workflow.abort(new ControlRequest("ana", "giving up"));
    assertThat(result().state()).isEqualTo(RolloutState.ABORTED);
  }

  @Test
  void anExtensionRaisesTheWeightWhenThePlannerSaysTheStageCannotDecideInTime() {
    fake.analysis =
        r -> FakeActivities.report(Decision.INSUFFICIENT_DATA, GateKind.QUALITY, 20, 300);
    fake.plannedWeightBp = 1500;
    RolloutWorkflow workflow = start(spec(InconclusivePolicy.EXTEND, 1));
    env.sleep(Duration.ofMinutes(65));

    assertThat(fake.plans)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.currentWeightBp()).isEqualTo(500);
              assertThat(p.maxWeightBp()).isEqualTo(2499);
              assertThat(p.hoursAvailable()).isEqualTo(1.0);
            });
    assertThat(fake.routing).extracting(RoutingCommand::canaryWeightBp).containsExactly(500, 1500);
    RolloutProgress progress = workflow.progress();
    assertThat(progress.canaryWeightBp()).isEqualTo(1500);
    assertThat(progress.timeline())
        .extracting(TimelineEntry::event)
        .contains("stage extended", "weight raised");
    // the stage starts over at the new weight: its looks now count from the raise
    AnalysisRequest last = fake.looks.get(fake.looks.size() - 1);
    assertThat(last.canaryWeightBp()).isEqualTo(1500);
    assertThat(last.stageSinceMillis()).isGreaterThan(fake.looks.get(0).stageSinceMillis());
    workflow.abort(new ControlRequest("ana", "end of test"));
    assertThat(result().state()).isEqualTo(RolloutState.ABORTED);
  }

  @Test
  void inconclusiveWithTheRollbackPolicyRollsBack() {
    fake.analysis = r -> FakeActivities.report(Decision.INCONCLUSIVE, GateKind.QUALITY, 300, 300);
    start(spec(InconclusivePolicy.ROLLBACK, 0));
    RolloutResult result = result();
    assertThat(result.state()).isEqualTo(RolloutState.ROLLED_BACK);
    assertThat(result.reason()).contains("maximum bake");
  }

  @Test
  void noTrafficIsNotAFailure() {
    fake.analysis = r -> FakeActivities.report(Decision.INSUFFICIENT_DATA, GateKind.QUALITY, 0, 0);
    RolloutWorkflow workflow = start(spec(InconclusivePolicy.HOLD, 0));
    env.sleep(Duration.ofHours(3));

    RolloutProgress progress = workflow.progress();
    assertThat(progress.state()).isEqualTo(RolloutState.PAUSED);
    assertThat(progress.canaryWeightBp()).isEqualTo(500);
    assertThat(fake.routing).hasSize(1);
    assertThat(fake.alerts.get(0).reason()).contains("0 canary / 0 stable judge scores this stage");
    workflow.abort(new ControlRequest("ana", "no traffic on this prompt"));
  }

  @Test
  void continueAsNewAtStageBoundariesKeepsTheState() {
    start(spec(InconclusivePolicy.HOLD, 0));
    assertThat(result().state()).isEqualTo(RolloutState.PROMOTED);

    Set<String> runs = fake.records.stream().map(RolloutRecord::runId).collect(Collectors.toSet());
    assertThat(runs).hasSize(3);
    RolloutRecord last = fake.records.get(fake.records.size() - 1);
    assertThat(last.checkpoint().timeline())
        .extracting(TimelineEntry::event)
        .contains(
            "started",
            "stage 1 started",
            "stage 1 passed",
            "stage 2 started",
            "stage 3 passed",
            "promoted");
    // the canary's clock survived the runs: every look of every stage counts data from the first
    // stage on
    long canaryStart = fake.looks.get(0).canarySinceMillis();
    assertThat(fake.looks)
        .allSatisfy(l -> assertThat(l.canarySinceMillis()).isEqualTo(canaryStart));
  }

  @Test
  void aRoutingWriteTheFenceRejectsStopsTheRollout() {
    fake.refuseRouting = true;
    start(spec(InconclusivePolicy.HOLD, 0));
    RolloutResult result = result();
    assertThat(result.state()).isEqualTo(RolloutState.ABORTED);
    assertThat(result.reason()).contains("stale write");
  }

  @Test
  void newDataIsLookedAtBeforeTheCheckInterval() {
    fake.analysis = r -> FakeActivities.report(Decision.INCONCLUSIVE, GateKind.QUALITY, 10, 10);
    RolloutWorkflow workflow = start(spec(InconclusivePolicy.HOLD, 0));
    env.sleep(Duration.ofSeconds(5));
    int before = fake.looks.size();
    fake.analysis = r -> FakeActivities.report(Decision.REGRESSION, GateKind.QUALITY, 50, 50);
    workflow.dataArrived(new DataArrived(0));
    env.sleep(Duration.ofSeconds(2));
    assertThat(fake.looks.size()).isEqualTo(before + 1);
    assertThat(result().state()).isEqualTo(RolloutState.ROLLED_BACK);
  }

  @Test
  void anUnhealthyJudgeHoldsAndTheResumedStageStartsOverWithFreshScores() {
    fake.analysis =
        r -> FakeActivities.report(Decision.JUDGE_UNHEALTHY, GateKind.JUDGE_HEALTH, 300, 20);
    RolloutWorkflow workflow = start(spec(InconclusivePolicy.ROLLBACK, 0));
    env.sleep(Duration.ofMinutes(5));

    // held at once, at the first stage's weight, however long it waits: never rolled back, never
    // promoted
    assertThat(workflow.progress().state()).isEqualTo(RolloutState.PAUSED);
    env.sleep(Duration.ofHours(3));
    assertThat(workflow.progress().state()).isEqualTo(RolloutState.PAUSED);
    assertThat(fake.routing).hasSize(1);
    assertThat(fake.alertEvents()).containsExactly("held");
    assertThat(fake.alerts.get(0).reason())
        .contains("judge is unhealthy")
        .contains("JUDGE_HEALTH JUDGE_UNHEALTHY");
    long stageStart = fake.looks.get(0).stageSinceMillis();
    int looksWhenHeld = fake.looks.size();

    fake.analysis = r -> FakeActivities.report(Decision.NON_INFERIOR, GateKind.QUALITY, 300, 300);
    workflow.resume(new ControlRequest("ana", "judge endpoint fixed"));
    RolloutResult result = result();

    assertThat(result.state()).isEqualTo(RolloutState.PROMOTED);
    AnalysisRequest afterResume = fake.looks.get(looksWhenHeld);
    assertThat(afterResume.stageSinceMillis())
        .as("the stage's test starts over after the hold")
        .isGreaterThanOrEqualTo(stageStart + Duration.ofHours(3).toMillis());
    assertThat(workflow.progress().timeline().stream().map(TimelineEntry::event))
        .contains("held", "resumed", "stage restarted");
  }

  @Test
  void anAbortDuringTheOfflineEvalEndsTheRolloutWithoutWaitingForTheEval() {
    fake.evalRunning = new java.util.concurrent.CountDownLatch(1);
    try {
      RolloutWorkflow workflow = start(spec(InconclusivePolicy.HOLD, 0));
      assertThat(workflow.progress().state()).isEqualTo(RolloutState.PENDING_EVAL);

      ControlResult aborted = workflow.abort(new ControlRequest("ana", "wrong candidate"));

      assertThat(aborted.state()).isEqualTo(RolloutState.ABORTED);
      assertThat(result().state()).isEqualTo(RolloutState.ABORTED);
      assertThat(fake.routing).as("the candidate never took traffic").isEmpty();
    } finally {
      fake.evalRunning.countDown();
    }
  }
}
