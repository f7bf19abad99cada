package dev.promptcanary.workflows.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.domain.Verdict;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.client.WorkflowUpdateHandle;
import io.temporal.client.WorkflowUpdateStage;
import io.temporal.testing.TestWorkflowEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Records the histories the replay tests guard, from the released workflow code. Run only on
 * purpose, when a new released version of the workflow should be pinned: {@code mvn -pl workflows
 * test -Dtest=HistoryRecorder -DrecordHistories=true}. Only missing files are written: an existing
 * history is never re-recorded.
 */
@EnabledIfSystemProperty(named = "recordHistories", matches = "true")
class HistoryRecorder {
  private static final Path OUT = Path.of("src/test/resources/histories");

  @Test
  void recordRollback() throws Exception {
    recordRollback("rollback-regression.json");
  }

  /** {@link ChangeIds#LOOK_LOCAL_FIRST}: the same rollback, its looks local activity markers. */
  @Test
  void recordRollbackWithLocalLooks() throws Exception {
    recordRollback("rollback-regression-local-look.json");
  }

  /** Two inconclusive looks, a nudge, and a regression that rolls back. */
  private static void recordRollback(String file) throws Exception {
    FakeActivities fake = new FakeActivities();
    fake.analysis =
        r ->
            fake.looks.size() < 3
                ? FakeActivities.report(Decision.INCONCLUSIVE, GateKind.QUALITY, 40, 40)
                : FakeActivities.report(Decision.REGRESSION, GateKind.QUALITY, 90, 90);
    record(
        fake,
        file,
        env -> {
          RolloutWorkflow workflow = startHolding(env);
          env.sleep(Duration.ofMinutes(1));
          workflow.dataArrived(new DataArrived(0));
        });
  }

  @Test
  void recordPauseResumeBypass() throws Exception {
    FakeActivities fake = new FakeActivities();
    fake.analysis = r -> FakeActivities.report(Decision.INCONCLUSIVE, GateKind.QUALITY, 40, 40);
    record(
        fake,
        "pause-resume-bypass.json",
        env -> {
          RolloutWorkflow workflow = startHolding(env);
          env.sleep(Duration.ofMinutes(5));
          workflow.pause(new ControlRequest("ana", "look"));
          env.sleep(Duration.ofMinutes(5));
          workflow.resume(new ControlRequest("ana", "fine"));
          env.sleep(Duration.ofMinutes(2));
          workflow.bypass(new ControlRequest("bob", "incident 9"));
        });
  }

  @Test
  void recordJudgeHoldThenAbort() throws Exception {
    FakeActivities fake = new FakeActivities();
    fake.analysis =
        r -> FakeActivities.report(Decision.JUDGE_UNHEALTHY, GateKind.JUDGE_HEALTH, 200, 10);
    record(
        fake,
        "judge-hold-abort.json",
        env -> {
          RolloutWorkflow workflow = startHolding(env);
          env.sleep(Duration.ofMinutes(5));
          workflow.resume(new ControlRequest("ana", "judge fixed"));
          env.sleep(Duration.ofMinutes(5));
          workflow.abort(new ControlRequest("ana", "still failing"));
        });
  }

  @Test
  void recordFirstStageOfAPromotion() throws Exception {
    FakeActivities fake = new FakeActivities();
    record(
        fake,
        "promotion-first-run.json",
        env -> {
          startHolding(env);
        });
  }

  @Test
  void recordExtendWithTheWeightRaiseThenHoldAndAbort() throws Exception {
    FakeActivities fake = new FakeActivities();
    fake.analysis =
        r -> FakeActivities.report(Decision.INSUFFICIENT_DATA, GateKind.QUALITY, 20, 300);
    fake.plannedWeightBp = 1500;
    record(
        fake,
        "extend-raise-hold-abort.json",
        env -> {
          RolloutWorkflow workflow =
              start(env, Scenarios.shortStages(Scenarios.spec(InconclusivePolicy.EXTEND, 1)));
          // ten minutes to the extension (the planner raises the weight), ten more to the hold (the
          // budget is spent)
          env.sleep(Duration.ofMinutes(25));
          workflow.abort(new ControlRequest("ana", "not enough traffic"));
        });
  }

  @Test
  void recordRollbackPolicy() throws Exception {
    FakeActivities fake = new FakeActivities();
    fake.analysis = r -> FakeActivities.report(Decision.INCONCLUSIVE, GateKind.QUALITY, 300, 300);
    record(
        fake,
        "rollback-policy.json",
        env -> {
          start(env, Scenarios.shortStages(Scenarios.spec(InconclusivePolicy.ROLLBACK, 0)));
        });
  }

  @Test
  void recordEvalSuitePassed() throws Exception {
    recordEvalSuitePassed("eval-suite-passed.json");
  }

  /** Under eval-quick-heartbeat-timeout: the eval scheduled with its 10 s heartbeat timeout. */
  @Test
  void recordEvalSuitePassedWithTheQuickHeartbeatTimeout() throws Exception {
    recordEvalSuitePassed("eval-suite-passed-quick-heartbeat.json");
  }

  private static void recordEvalSuitePassed(String file) throws Exception {
    FakeActivities fake = new FakeActivities();
    fake.eval =
        new EvalSummary(
            true, "pass rate 0.96 >= 0.90, mean judge score 0.91 >= 0.80", 50, 0.96, 0.91);
    record(
        fake,
        file,
        env -> {
          start(env, Scenarios.withSuite(Scenarios.spec(InconclusivePolicy.HOLD, 0)));
        });
  }

  @Test
  void recordEvalSuiteBlocked() throws Exception {
    FakeActivities fake = new FakeActivities();
    fake.eval = new EvalSummary(false, "pass rate 0.62 is below the gate 0.90", 50, 0.62, 0.94);
    record(
        fake,
        "eval-suite-blocked.json",
        env -> {
          start(env, Scenarios.withSuite(Scenarios.spec(InconclusivePolicy.HOLD, 0)));
        });
  }

  @Test
  void recordBypassInACanaryStage() throws Exception {
    FakeActivities fake = new FakeActivities();
    fake.analysis = r -> FakeActivities.report(Decision.INCONCLUSIVE, GateKind.QUALITY, 10, 10);
    record(
        fake,
        "bypass.json",
        env -> {
          RolloutWorkflow workflow = startHolding(env);
          env.sleep(Duration.ofMinutes(2));
          workflow.bypass(new ControlRequest("oncall-bob", "hotfix for incident 42"));
        });
  }

  @Test
  void recordAbortDuringTheEval() throws Exception {
    FakeActivities fake = new FakeActivities();
    fake.evalRunning = new CountDownLatch(1);
    recordReleasing(
        fake.evalRunning,
        fake,
        "eval-abort.json",
        env -> {
          RolloutWorkflow workflow =
              start(env, Scenarios.withSuite(Scenarios.spec(InconclusivePolicy.HOLD, 0)));
          assertThat(workflow.progress().state()).isEqualTo(RolloutState.PENDING_EVAL);
          workflow.abort(new ControlRequest("ana", "wrong candidate"));
          // the abandoned eval finishes only after the rollout ended, as in production
          WorkflowStub.fromTyped(workflow).getResult(RolloutResult.class);
          fake.evalRunning.countDown();
        });
  }

  @Test
  void recordJudgeHoldThenResumeAndPass() throws Exception {
    FakeActivities fake = new FakeActivities();
    fake.analysis =
        r -> FakeActivities.report(Decision.JUDGE_UNHEALTHY, GateKind.JUDGE_HEALTH, 300, 20);
    recordHeldThenResumed(
        fake, "judge-hold-resume.json", Duration.ofMinutes(5), "judge endpoint fixed");
  }

  @Test
  void recordTheRunsAfterContinueAsNew() throws Exception {
    FakeActivities fake = new FakeActivities();
    record(
        fake,
        Map.of(1, "promotion-second-run.json", 2, "promotion-last-run.json"),
        env -> {
          startHolding(env);
        });
  }

  @Test
  void recordSrmHoldThenResume() throws Exception {
    FakeActivities fake = new FakeActivities();
    fake.analysis =
        r -> FakeActivities.report(Decision.SAMPLE_RATIO_MISMATCH, GateKind.SAMPLE_RATIO, 500, 500);
    recordHeldThenResumed(
        fake, "srm-hold-resume.json", Duration.ofMinutes(5), "load balancer fixed");
  }

  @Test
  void recordSrmRollbackAsked() throws Exception {
    FakeActivities fake = new FakeActivities();
    fake.analysis =
        r -> FakeActivities.report(Decision.SAMPLE_RATIO_MISMATCH, GateKind.SAMPLE_RATIO, 500, 500);
    record(
        fake,
        "srm-rollback-asked.json",
        env -> {
          start(env, Scenarios.rollbackOnSrm(Scenarios.spec(InconclusivePolicy.HOLD, 0)));
        });
  }

  @Test
  void recordLookFailingThenHoldAndResume() throws Exception {
    FakeActivities fake = new FakeActivities();
    fake.analysis =
        r -> {
          throw new IllegalStateException("numeric field overflow: cost 1e200");
        };
    recordHeldThenResumed(
        fake, "look-fails-hold-resume.json", Duration.ofMinutes(3), "bad row deleted");
  }

  @Test
  void recordAbortWhileTheLookHangs() throws Exception {
    recordAbortWhileLooksHang("abort-while-look-hangs.json", 1);
  }

  /**
   * {@link ChangeIds#LOOK_LOCAL_FIRST}: the local look hangs past its timeout, the look goes on as
   * an activity that hangs too, and the abort preempts it.
   */
  @Test
  void recordAbortWhileALocalLookHangs() throws Exception {
    recordAbortWhileLooksHang("abort-while-local-look-hangs.json", 2);
  }

  /** Every look hangs; the abort comes once {@code hanging} of them are hanging. */
  private static void recordAbortWhileLooksHang(String file, int hanging) throws Exception {
    FakeActivities fake = new FakeActivities();
    CountDownLatch looking = new CountDownLatch(hanging);
    CountDownLatch release = new CountDownLatch(1);
    fake.analysis =
        r -> {
          looking.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          throw new IllegalStateException("canceling statement due to statement timeout");
        };
    recordReleasing(
        release,
        fake,
        file,
        env -> {
          RolloutWorkflow workflow = startHolding(env);
          workflow.dataArrived(new DataArrived(0));
          looking.await();
          workflow.abort(new ControlRequest("ana", "stuck look"));
          WorkflowStub.fromTyped(workflow).getResult(RolloutResult.class);
          release.countDown();
        });
  }

  @Test
  void recordAbortWithADeadWebhook() throws Exception {
    FakeActivities fake = new FakeActivities();
    fake.analysis = r -> FakeActivities.report(Decision.INCONCLUSIVE, GateKind.QUALITY, 10, 10);
    fake.failAlerts = true;
    fake.failAudits = true;
    record(
        fake,
        "abort-dead-webhook-failing-audit.json",
        env -> {
          RolloutWorkflow workflow = startHolding(env);
          env.sleep(Duration.ofMinutes(2));
          workflow.abort(new ControlRequest("ana", "wrong\u0000version"));
        });
  }

  @Test
  void recordControlsCarryingRequestIds() throws Exception {
    FakeActivities fake = new FakeActivities();
    fake.analysis = r -> FakeActivities.report(Decision.INCONCLUSIVE, GateKind.QUALITY, 10, 10);
    record(
        fake,
        "pause-abort-with-request-ids.json",
        env -> {
          RolloutWorkflow workflow = startHolding(env);
          env.sleep(Duration.ofMinutes(2));
          workflow.pause(new ControlRequest("ana", "look", "deployer", "pause-1"));
          workflow.abort(new ControlRequest("bob", "wrong version", "admin", "abort-1"));
        });
  }

  @Test
  void recordPauseDuringTheEval() throws Exception {
    FakeActivities fake = new FakeActivities();
    fake.evalRunning = new CountDownLatch(1);
    recordReleasing(
        fake.evalRunning,
        fake,
        "pause-during-eval.json",
        env -> {
          RolloutWorkflow workflow =
              start(env, Scenarios.withSuite(Scenarios.spec(InconclusivePolicy.HOLD, 0)));
          workflow.pause(new ControlRequest("ana", "hold on"));
          fake.evalRunning.countDown();
          env.sleep(Duration.ofMinutes(5));
          workflow.resume(new ControlRequest("ana", "go"));
        });
  }

  @Test
  void recordApprovalThenApprove() throws Exception {
    FakeActivities fake = new FakeActivities();
    record(
        fake,
        "approval-approve.json",
        env -> {
          RolloutWorkflow workflow =
              start(
                  env,
                  Scenarios.withApproval(Scenarios.spec(InconclusivePolicy.HOLD, 0), 0, 0, null));
          env.sleep(Duration.ofHours(1));
          workflow.approve(new ControlRequest("ana", "looks good", "deployer"));
        });
  }

  @Test
  void recordApprovalTimeoutRollsBack() throws Exception {
    FakeActivities fake = new FakeActivities();
    record(
        fake,
        "approval-timeout-rollback.json",
        env ->
            start(
                env,
                Scenarios.withApproval(
                    Scenarios.spec(InconclusivePolicy.HOLD, 0),
                    0,
                    1800,
                    ApprovalTimeoutAction.ROLLBACK)));
  }

  @Test
  void recordApprovalTimeoutHoldsThenPauseResumeApprove() throws Exception {
    FakeActivities fake = new FakeActivities();
    record(
        fake,
        "approval-timeout-hold-pause-approve.json",
        env -> {
          RolloutWorkflow workflow =
              start(
                  env,
                  Scenarios.withApproval(
                      Scenarios.spec(InconclusivePolicy.HOLD, 0),
                      0,
                      1800,
                      ApprovalTimeoutAction.HOLD));
          env.sleep(Duration.ofHours(2));
          workflow.pause(new ControlRequest("ana", "lunch", "deployer"));
          env.sleep(Duration.ofMinutes(10));
          workflow.resume(new ControlRequest("ana", "back", "deployer"));
          workflow.approve(new ControlRequest("bob", "looked at it", "deployer"));
        });
  }

  @Test
  void recordNotifyOnlyRegressionThenHoldAndAbort() throws Exception {
    FakeActivities fake = new FakeActivities();
    Verdict errors =
        new Verdict(
            GateKind.ERROR_RATE,
            Decision.REGRESSION,
            900,
            900,
            0.02,
            0.01,
            0.03,
            0.002,
            "errors up",
            null,
            false);
    Verdict overall =
        new Verdict(
            GateKind.OVERALL,
            Decision.INCONCLUSIVE,
            900,
            900,
            0.02,
            0.01,
            0.03,
            0.002,
            "notify-only, regression not acted on (error_rate)",
            null,
            false);
    fake.analysis = r -> new AnalysisReport(overall, List.of(errors), 300, 300, 1000, 1000);
    record(
        fake,
        "notify-only-regression-hold-abort.json",
        env -> {
          RolloutWorkflow workflow =
              start(
                  env,
                  Scenarios.shortStages(
                      Scenarios.notifyOnly(Scenarios.spec(InconclusivePolicy.HOLD, 0))));
          env.sleep(Duration.ofMinutes(15));
          workflow.abort(new ControlRequest("ana", "errors are real", "deployer"));
        });
  }

  @Test
  void recordStoreOutageRiddenOut() throws Exception {
    recordStoreOutageRiddenOut("store-outage-ridden-out.json");
  }

  /**
   * {@link ChangeIds#LOOK_LOCAL_FIRST} with {@link ChangeIds#STORE_OUTAGE_RETRY}: the local look
   * fails on the store, the activity's retries too, and the outage is ridden out.
   */
  @Test
  void recordStoreOutageRiddenOutAfterALocalLook() throws Exception {
    recordStoreOutageRiddenOut("store-outage-ridden-out-local-look.json");
  }

  /** The store down for the first 3 minutes of the stage. */
  private static void recordStoreOutageRiddenOut(String file) throws Exception {
    FakeActivities fake = new FakeActivities();
    fake.storeDown = true;
    record(
        fake,
        file,
        env -> {
          startHolding(env);
          env.sleep(Duration.ofMinutes(3));
          fake.storeDown = false;
        });
  }

  @Test
  void recordStoreOutagePastTheBudgetHoldsThenResume() throws Exception {
    FakeActivities fake = new FakeActivities();
    fake.storeDown = true;
    record(
        fake,
        "store-outage-hold-recorded-resume.json",
        env -> {
          RolloutWorkflow workflow = startHolding(env);
          env.sleep(Duration.ofMinutes(15));
          fake.storeDown = false;
          env.sleep(Duration.ofMinutes(1));
          workflow.resume(new ControlRequest("ana", "PostgreSQL is back"));
        });
  }

  @Test
  void recordAPauseWaitingWhenTheAbortEndsIsRefused() throws Exception {
    FakeActivities fake = new FakeActivities();
    fake.analysis = r -> FakeActivities.report(Decision.INCONCLUSIVE, GateKind.QUALITY, 10, 10);
    CountDownLatch rollbackHeld = new CountDownLatch(1);
    fake.releaseHeld = rollbackHeld;
    recordReleasing(
        rollbackHeld,
        fake,
        "abort-refuses-waiting-pause.json",
        env -> {
          RolloutWorkflow workflow = startHolding(env);
          env.sleep(Duration.ofMinutes(2));
          WorkflowStub stub = WorkflowStub.fromTyped(workflow);
          // the abort's rollback is held, so the pause passes its validator and waits behind it
          WorkflowUpdateHandle<ControlResult> abort =
              stub.startUpdate(
                  RolloutMessages.ABORT,
                  WorkflowUpdateStage.ACCEPTED,
                  ControlResult.class,
                  new ControlRequest("ana", "wrong version"));
          fake.releaseWaiting.await();
          WorkflowUpdateHandle<ControlResult> pause =
              stub.startUpdate(
                  RolloutMessages.PAUSE,
                  WorkflowUpdateStage.ACCEPTED,
                  ControlResult.class,
                  new ControlRequest("bob", "look first"));
          rollbackHeld.countDown();
          assertThat(abort.getResult().state()).isEqualTo(RolloutState.ABORTED);
          assertThatThrownBy(pause::getResult).isInstanceOf(WorkflowUpdateException.class);
        });
  }

  interface Script {
    void run(TestWorkflowEnvironment env) throws Exception;
  }

  private static RolloutWorkflow start(TestWorkflowEnvironment env, RolloutSpec spec) {
    return Scenarios.start(env.getWorkflowClient(), spec);
  }

  /** The rollout under the HOLD policy, no extensions, no eval suite. */
  private static RolloutWorkflow startHolding(TestWorkflowEnvironment env) {
    return start(env, Scenarios.spec(InconclusivePolicy.HOLD, 0));
  }

  /** Held by what {@code fake} reports for {@code heldFor}, then resumed with the looks passing. */
  private static void recordHeldThenResumed(
      FakeActivities fake, String file, Duration heldFor, String reason) throws Exception {
    record(
        fake,
        file,
        env -> {
          RolloutWorkflow workflow = startHolding(env);
          env.sleep(heldFor);
          fake.analysis =
              r -> FakeActivities.report(Decision.NON_INFERIOR, GateKind.QUALITY, 300, 300);
          workflow.resume(new ControlRequest("ana", reason));
        });
  }

  /**
   * {@link #record}, with {@code latch} counted down however it ends, so an activity waiting on it
   * can finish.
   */
  private static void recordReleasing(
      CountDownLatch latch, FakeActivities fake, String file, Script script) throws Exception {
    try {
      record(fake, file, script);
    } finally {
      latch.countDown();
    }
  }

  private static void record(FakeActivities fake, String file, Script script) throws Exception {
    record(fake, Map.of(0, file), script);
  }

  /**
   * Runs the script to the rollout's end and saves the histories of the runs asked for (0: the
   * first run).
   */
  private static void record(FakeActivities fake, Map<Integer, String> files, Script script)
      throws Exception {
    TestWorkflowEnvironment env = Scenarios.environment(fake);
    try {
      script.run(env);
      WorkflowStub stub = env.getWorkflowClient().newUntypedWorkflowStub(Scenarios.ID);
      stub.getResult(RolloutResult.class);
      List<String> runs = fake.records.stream().map(RolloutRecord::runId).distinct().toList();
      Files.createDirectories(OUT);
      for (Map.Entry<Integer, String> file : files.entrySet()) {
        String json =
            env.getWorkflowClient()
                .fetchHistory(Scenarios.ID, runs.get(file.getKey()))
                .toJson(true);
        assertThat(json).contains("PromptRollout");
        Path target = OUT.resolve(file.getValue());
        // A recorded history pins released code: it is added, never re-recorded (a behaviour change
        // goes behind
        // Workflow.getVersion and gets a new history of its own).
        if (!Files.exists(target)) {
          Files.writeString(target, json);
        }
      }
    } finally {
      env.close();
    }
  }
}
