package dev.promptcanary.workflows.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Controls always take effect: a failing or hanging look, a dead webhook or a failing audit write
 * never holds up an abort, and a step that keeps failing holds the rollout with the failure as its
 * reason instead of retrying for ever.
 */
class RolloutControlsTest extends RolloutTestServer {
  /** What "answers within seconds" means here, in wall-clock time. */
  private static final Duration PROMPTLY = Duration.ofSeconds(10);

  /** Lets a hanging look return when the test ends. */
  final CountDownLatch release = new CountDownLatch(1);

  /** Before the test server closes. */
  @AfterEach
  void releaseHangingLooks() {
    release.countDown();
  }

  RolloutRecord lastRecord() {
    return fake.records.get(fake.records.size() - 1);
  }

  /** The control's answer, failing the test when it takes longer than {@link #PROMPTLY}. */
  static ControlResult promptly(Supplier<ControlResult> control) throws Exception {
    return CompletableFuture.supplyAsync(control).get(PROMPTLY.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void aLookThatKeepsFailingHoldsTheRolloutWithTheFailureAndAResumeRetriesIt() throws Exception {
    fake.analysis =
        r -> {
          throw new IllegalStateException("numeric field overflow: cost 1e200");
        };
    RolloutWorkflow workflow =
        Scenarios.start(client, Scenarios.spec(InconclusivePolicy.ROLLBACK, 0));
    env.sleep(Duration.ofMinutes(3));

    RolloutProgress held = workflow.progress();
    assertThat(held.state()).isEqualTo(RolloutState.PAUSED);
    assertThat(held.pauseReason()).isEqualTo(PauseReason.STEP_FAILED);
    assertThat(fake.looks)
        .as("a bounded number of attempts: the local look, then five as an activity")
        .hasSize(6);
    assertThat(fake.alertEvents()).containsExactly("held");
    assertThat(fake.alerts.get(0).reason())
        .contains("look at the data kept failing")
        .contains("cost 1e200");
    assertThat(lastRecord().checkpoint().pauseReason()).isEqualTo(PauseReason.STEP_FAILED);
    assertThat(lastRecord().reason()).contains("cost 1e200");

    // held, not retrying silently: far past the stage's maximum bake, no look, no rollback
    env.sleep(Duration.ofHours(3));
    assertThat(fake.looks).hasSize(6);
    assertThat(workflow.progress().state()).isEqualTo(RolloutState.PAUSED);
    assertThat(fake.routing).hasSize(1);

    fake.analysis = r -> FakeActivities.report(Decision.NON_INFERIOR, GateKind.QUALITY, 300, 300);
    ControlResult resumed =
        promptly(() -> workflow.resume(new ControlRequest("ana", "bad row deleted")));
    assertThat(resumed.state()).isEqualTo(RolloutState.CANARY);
    assertThat(result().state()).isEqualTo(RolloutState.PROMOTED);
    assertThat(fake.looks.get(6).stageSinceMillis())
        .as("the stage goes on with its data")
        .isEqualTo(fake.looks.get(0).stageSinceMillis());
  }

  @Test
  void aProgrammingErrorInTheLookIsNotRetried() {
    fake.analysis =
        r -> {
          throw new IllegalArgumentException("every gate is disabled");
        };
    RolloutWorkflow workflow = Scenarios.start(client, Scenarios.spec(InconclusivePolicy.HOLD, 0));
    env.sleep(Duration.ofMinutes(3));

    assertThat(fake.looks).as("the local look only, not tried again as an activity").hasSize(1);
    RolloutProgress held = workflow.progress();
    assertThat(held.state()).isEqualTo(RolloutState.PAUSED);
    assertThat(held.pauseReason()).isEqualTo(PauseReason.STEP_FAILED);
    assertThat(held.timeline())
        .last()
        .satisfies(
            e -> {
              assertThat(e.event()).isEqualTo("held");
              assertThat(e.detail()).contains("every gate is disabled");
            });
  }

  @Test
  void anAbortWhileTheLookIsRetryingAnswersWithinSecondsAndResetsRouting() throws Exception {
    CountDownLatch retrying = new CountDownLatch(1);
    fake.analysis =
        r -> {
          if (fake.looks.size() == 1) {
            throw new IllegalStateException("canceling statement due to statement timeout");
          }
          retrying.countDown();
          await(release); // the retry hangs: a look that never answers
          throw new IllegalStateException("still failing");
        };
    RolloutWorkflow workflow = Scenarios.start(client, Scenarios.spec(InconclusivePolicy.HOLD, 0));
    workflow.dataArrived(new DataArrived(0)); // look now, not at the check interval
    assertThat(retrying.await(30, TimeUnit.SECONDS)).as("the look is retrying").isTrue();

    ControlResult aborted = promptly(() -> workflow.abort(new ControlRequest("ana", "stuck look")));

    assertThat(aborted.state()).isEqualTo(RolloutState.ABORTED);
    RoutingCommand reset = fake.lastRouting();
    assertThat(reset.release()).isTrue();
    assertThat(reset.stableVersion()).isEqualTo(1);
    assertThat(reset.canaryWeightBp()).isZero();
    release.countDown();
    assertThat(result().state()).isEqualTo(RolloutState.ABORTED);
  }

  @Test
  void aBypassPreemptsAHangingLook() throws Exception {
    CountDownLatch looking = new CountDownLatch(1);
    fake.analysis =
        r -> {
          looking.countDown();
          await(release);
          return FakeActivities.report(Decision.INCONCLUSIVE, GateKind.QUALITY, 10, 10);
        };
    RolloutWorkflow workflow = Scenarios.start(client, Scenarios.spec(InconclusivePolicy.HOLD, 0));
    workflow.dataArrived(new DataArrived(0));
    assertThat(looking.await(30, TimeUnit.SECONDS)).isTrue();

    ControlResult bypassed =
        promptly(() -> workflow.bypass(new ControlRequest("bob", "incident 7")));

    assertThat(bypassed.state()).isEqualTo(RolloutState.BYPASSED);
    assertThat(fake.lastRouting().stableVersion()).isEqualTo(2);
    assertThat(fake.lastRouting().release()).isTrue();
  }

  @Test
  void aDeadWebhookDoesNotDelayTheAbortsAnswer() throws Exception {
    fake.analysis = r -> FakeActivities.report(Decision.INCONCLUSIVE, GateKind.QUALITY, 10, 10);
    fake.failAlerts = true;
    RolloutWorkflow workflow = Scenarios.start(client, Scenarios.spec(InconclusivePolicy.HOLD, 0));
    env.sleep(Duration.ofMinutes(2));

    long before = env.currentTimeMillis();
    ControlResult aborted =
        promptly(() -> workflow.abort(new ControlRequest("ana", "wrong version")));
    long waited = env.currentTimeMillis() - before;

    assertThat(aborted.state()).isEqualTo(RolloutState.ABORTED);
    // the alert's six attempts back off 31 s in all; the answer did not wait for them
    assertThat(waited).isLessThan(5_000);
    assertThat(fake.lastRouting().canaryWeightBp()).isZero();
    assertThat(result().state()).isEqualTo(RolloutState.ABORTED);
    assertThat(fake.alertAttempts)
        .hasSize(6)
        .allSatisfy(a -> assertThat(a.event()).isEqualTo("aborted"));
    assertThat(lastRecord().checkpoint().timeline())
        .extracting(TimelineEntry::event)
        .contains("alert failed");
  }

  @Test
  void eachControlsAuditEntryCarriesItsRequestId() throws Exception {
    fake.analysis = r -> FakeActivities.report(Decision.INCONCLUSIVE, GateKind.QUALITY, 10, 10);
    RolloutWorkflow workflow = Scenarios.start(client, Scenarios.spec(InconclusivePolicy.HOLD, 0));
    env.sleep(Duration.ofMinutes(2));

    promptly(() -> workflow.pause(new ControlRequest("ana", "look", "deployer", "pause-1")));
    promptly(() -> workflow.abort(new ControlRequest("bob", "wrong version", "admin", "abort-1")));

    assertThat(result().state()).isEqualTo(RolloutState.ABORTED);
    assertThat(fake.audits)
        .extracting(AuditEntry::action, AuditEntry::requestId)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("rollout.pause", "pause-1"),
            org.assertj.core.groups.Tuple.tuple("rollout.abort", "abort-1"));
  }

  @Test
  void aFailingAuditWriteAndANulInTheReasonDoNotHangAControl() throws Exception {
    fake.analysis = r -> FakeActivities.report(Decision.INCONCLUSIVE, GateKind.QUALITY, 10, 10);
    fake.failAudits = true;
    RolloutWorkflow workflow = Scenarios.start(client, Scenarios.spec(InconclusivePolicy.HOLD, 0));
    env.sleep(Duration.ofMinutes(2));

    ControlResult paused =
        promptly(() -> workflow.pause(new ControlRequest("ana", "look\u0000here")));
    assertThat(paused.state()).isEqualTo(RolloutState.PAUSED);
    assertThat(fake.auditAttempts)
        .allSatisfy(a -> assertThat(a.reason()).isEqualTo("look\uFFFDhere"));
    assertThat(workflow.progress().timeline())
        .extracting(TimelineEntry::detail)
        .contains("paused by ana: look\uFFFDhere");

    ControlResult aborted = promptly(() -> workflow.abort(new ControlRequest("ana", "done")));
    assertThat(aborted.state()).isEqualTo(RolloutState.ABORTED);
    assertThat(result().state()).isEqualTo(RolloutState.ABORTED);
    assertThat(fake.audits).isEmpty();
    assertThat(lastRecord().checkpoint().timeline())
        .extracting(TimelineEntry::event)
        .contains("audit failed");
  }

  @Test
  void aRoutingWriteThatKeepsFailingHoldsTheRolloutAndAResumeRetriesIt() throws Exception {
    fake.failRouting = true;
    RolloutWorkflow workflow = Scenarios.start(client, Scenarios.spec(InconclusivePolicy.HOLD, 0));
    env.sleep(Duration.ofMinutes(2));

    RolloutProgress held = workflow.progress();
    assertThat(held.state()).isEqualTo(RolloutState.PAUSED);
    assertThat(held.pauseReason()).isEqualTo(PauseReason.STEP_FAILED);
    assertThat(fake.alerts.get(0).reason())
        .contains("setting the canary weight to 5.00% kept failing")
        .contains("unreachable");
    assertThat(fake.routing).isEmpty();

    fake.failRouting = false;
    ControlResult resumed =
        promptly(() -> workflow.resume(new ControlRequest("ana", "database back")));
    assertThat(resumed.state()).isEqualTo(RolloutState.CANARY);
    assertThat(result().state()).isEqualTo(RolloutState.PROMOTED);
    assertThat(fake.routing)
        .extracting(RoutingCommand::canaryWeightBp)
        .containsExactly(500, 2500, 5000, 0);
  }

  @Test
  void aPauseDuringTheEvalIsAnsweredWhileTheEvalRuns() throws Exception {
    fake.evalRunning = new CountDownLatch(1);
    try {
      RolloutWorkflow workflow =
          Scenarios.start(client, Scenarios.withSuite(Scenarios.spec(InconclusivePolicy.HOLD, 0)));
      assertThat(workflow.progress().state()).isEqualTo(RolloutState.PENDING_EVAL);

      ControlResult paused = promptly(() -> workflow.pause(new ControlRequest("ana", "hold on")));
      assertThat(paused.state()).isEqualTo(RolloutState.PAUSED);
      fake.evalRunning.countDown();
      env.sleep(Duration.ofMinutes(5));
      assertThat(fake.routing).as("paused: the canary takes no traffic").isEmpty();

      ControlResult resumed = promptly(() -> workflow.resume(new ControlRequest("ana", "go")));
      assertThat(resumed.state()).isEqualTo(RolloutState.PENDING_EVAL);
      assertThat(result().state()).isEqualTo(RolloutState.PROMOTED);
    } finally {
      fake.evalRunning.countDown();
    }
  }

  @Test
  void aPromotedRolloutReportsItsLastStage() {
    RolloutSpec twoStages =
        Scenarios.spec(
            List.of(new Stage(500, 100, 600, 3600), new Stage(2500, 100, 600, 3600)),
            InconclusivePolicy.HOLD,
            0,
            60,
            null);
    Scenarios.start(client, twoStages);

    RolloutResult result = result();
    assertThat(result.state()).isEqualTo(RolloutState.PROMOTED);
    assertThat(result.stageIndex()).isEqualTo(1);
    assertThat(lastRecord().checkpoint().state()).isEqualTo(RolloutState.PROMOTED);
    assertThat(lastRecord().checkpoint().stageIndex()).as("stage 2 of 2, not 3").isEqualTo(1);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
