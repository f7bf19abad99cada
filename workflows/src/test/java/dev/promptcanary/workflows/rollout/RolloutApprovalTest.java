package dev.promptcanary.workflows.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Stages that require approval ({@link ChangeIds#APPROVAL_STEP}), on the time-skipping test server:
 * the approval arrives, or its timeout applies for each {@link ApprovalTimeoutAction}.
 */
class RolloutApprovalTest extends RolloutTestServer {

  /** Stage 1 (5%) requires approval; the fake's looks pass every stage after its 600 s bake. */
  private RolloutWorkflow startApproving(long timeoutSeconds, ApprovalTimeoutAction onTimeout) {
    return Scenarios.start(
        client,
        Scenarios.withApproval(
            Scenarios.spec(InconclusivePolicy.HOLD, 0), 0, timeoutSeconds, onTimeout));
  }

  @Test
  void aStageThatPassedWaitsForItsApprovalThenGoesOn() {
    RolloutWorkflow workflow = startApproving(0, null);
    env.sleep(Duration.ofMinutes(1));
    assertThatThrownBy(() -> workflow.approve(new ControlRequest("ana", "early", "deployer")))
        .as("nothing to approve while the stage bakes")
        .isInstanceOf(WorkflowUpdateException.class)
        .hasRootCauseInstanceOf(ApplicationFailure.class)
        .rootCause()
        .hasMessageContaining("not awaiting approval");

    env.sleep(Duration.ofHours(5));
    RolloutProgress waiting = workflow.progress();
    assertThat(waiting.state()).isEqualTo(RolloutState.AWAITING_APPROVAL);
    assertThat(waiting.stage()).isEqualTo(1);
    assertThat(waiting.canaryWeightBp()).isEqualTo(500);
    assertThat(fake.routing).as("still at stage 1 after hours").hasSize(1);
    assertThat(fake.alertEvents()).containsExactly("awaiting_approval");
    assertThat(fake.alerts.get(0).reason()).contains("stage 1 at 5.00%").contains("no timeout");
    RolloutRecord recorded = fake.records.get(fake.records.size() - 1);
    assertThat(recorded.checkpoint().state()).isEqualTo(RolloutState.AWAITING_APPROVAL);
    assertThat(recorded.reason()).contains("waits for approval");
    assertThatThrownBy(() -> workflow.approve(new ControlRequest("ana", " ", "deployer")))
        .isInstanceOf(WorkflowUpdateException.class)
        .rootCause()
        .hasMessageContaining("reason is required");

    ControlResult approved =
        workflow.approve(new ControlRequest("ana", "dashboards look fine", "deployer"));

    assertThat(approved.state()).isEqualTo(RolloutState.CANARY);
    assertThat(approved.message()).isEqualTo("approved: stage 2 at 25.00% next");
    RolloutResult result = result();
    assertThat(result.state()).isEqualTo(RolloutState.PROMOTED);
    assertThat(fake.routing)
        .extracting(RoutingCommand::canaryWeightBp)
        .containsExactly(500, 2500, 5000, 0);
    assertThat(fake.audits).extracting(AuditEntry::action).containsExactly("rollout.approve");
    AuditEntry audit = fake.audits.get(0);
    assertThat(audit.actor()).isEqualTo("ana");
    assertThat(audit.reason()).isEqualTo("dashboards look fine");
    assertThat(audit.stateBefore()).isEqualTo("AWAITING_APPROVAL");
    assertThat(fake.alertEvents()).containsExactly("awaiting_approval", "promoted");
  }

  @Test
  void theLastStagesApprovalPromotes() {
    RolloutWorkflow workflow =
        Scenarios.start(
            client, Scenarios.withApproval(Scenarios.spec(InconclusivePolicy.HOLD, 0), 2, 0, null));
    env.sleep(Duration.ofHours(1));
    assertThat(workflow.progress().state()).isEqualTo(RolloutState.AWAITING_APPROVAL);
    assertThat(workflow.progress().stage()).isEqualTo(3);

    ControlResult approved = workflow.approve(new ControlRequest("ana", "ship it", "deployer"));

    assertThat(approved.message()).isEqualTo("approved: promoting to 100%");
    assertThat(result().state()).isEqualTo(RolloutState.PROMOTED);
  }

  @Test
  void aTimeoutWithPromoteGoesOnAsIfApproved() {
    startApproving(3600, ApprovalTimeoutAction.PROMOTE);

    RolloutResult result = result();

    assertThat(result.state()).isEqualTo(RolloutState.PROMOTED);
    assertThat(fake.audits).as("nobody approved").isEmpty();
    List<TimelineEntry> timeline = lastTimeline();
    TimelineEntry waited = entry(timeline, "awaiting approval");
    TimelineEntry timedOut = entry(timeline, "approval timed out");
    // the timer starts once the wait is recorded, a few simulated milliseconds after its note
    assertThat(timedOut.atMillis() - waited.atMillis()).isBetween(3_600_000L, 3_601_000L);
    assertThat(timedOut.detail()).contains("no approval within 3600 s").contains("as if approved");
  }

  @Test
  void aTimeoutWithRollbackRollsBack() {
    startApproving(1800, ApprovalTimeoutAction.ROLLBACK);

    RolloutResult result = result();

    assertThat(result.state()).isEqualTo(RolloutState.ROLLED_BACK);
    assertThat(result.reason())
        .isEqualTo("stage 1 at 5.00%: no approval within 1800 s (onApprovalTimeout: ROLLBACK)");
    RoutingCommand rollback = fake.lastRouting();
    assertThat(rollback.release()).isTrue();
    assertThat(rollback.stableVersion()).isEqualTo(1);
    assertThat(rollback.canaryWeightBp()).isZero();
    assertThat(fake.alertEvents()).containsExactly("awaiting_approval", "rolled_back");
  }

  @Test
  void aTimeoutWithHoldAlertsAndKeepsWaitingThroughAPause() {
    RolloutWorkflow workflow = startApproving(1800, ApprovalTimeoutAction.HOLD);
    env.sleep(Duration.ofHours(3));

    assertThat(workflow.progress().state()).isEqualTo(RolloutState.AWAITING_APPROVAL);
    assertThat(fake.alertEvents()).containsExactly("awaiting_approval", "held");
    assertThat(fake.alerts.get(1).reason())
        .contains("no approval within 1800 s")
        .contains("still waiting");
    assertThat(fake.routing).hasSize(1);

    // A pause while waiting returns to the wait at its resume; an approve is refused while paused.
    workflow.pause(new ControlRequest("ana", "lunch", "deployer"));
    assertThat(workflow.progress().state()).isEqualTo(RolloutState.PAUSED);
    assertThatThrownBy(() -> workflow.approve(new ControlRequest("ana", "ok", "deployer")))
        .isInstanceOf(WorkflowUpdateException.class)
        .rootCause()
        .hasMessageContaining("not awaiting approval (PAUSED)");
    ControlResult resumed = workflow.resume(new ControlRequest("ana", "back", "deployer"));
    assertThat(resumed.state()).isEqualTo(RolloutState.AWAITING_APPROVAL);

    workflow.approve(new ControlRequest("bob", "looked at it", "deployer"));
    assertThat(result().state()).isEqualTo(RolloutState.PROMOTED);
    assertThat(fake.alertEvents()).containsExactly("awaiting_approval", "held", "promoted");
  }

  @Test
  void anAbortEndsTheWait() {
    RolloutWorkflow workflow = startApproving(0, null);
    env.sleep(Duration.ofHours(1));
    assertThat(workflow.progress().state()).isEqualTo(RolloutState.AWAITING_APPROVAL);

    ControlResult aborted = workflow.abort(new ControlRequest("ana", "not today", "deployer"));

    assertThat(aborted.state()).isEqualTo(RolloutState.ABORTED);
    assertThat(result().state()).isEqualTo(RolloutState.ABORTED);
    assertThat(fake.lastRouting().canaryWeightBp()).isZero();
  }

  private List<TimelineEntry> lastTimeline() {
    return fake.records.get(fake.records.size() - 1).checkpoint().timeline();
  }

  private static TimelineEntry entry(List<TimelineEntry> timeline, String event) {
    return timeline.stream()
        .filter(e -> e.event().equals(event))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no '" + event + "' in " + timeline));
  }
}
