package dev.promptcanary.workflows.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.client.WorkflowUpdateHandle;
import io.temporal.client.WorkflowUpdateStage;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A control answered as done was acted on and audited: one that the validators let in while an
 * abort was still rolling back (the state is final only once routing is reset) is refused when the
 * rollout ends, not answered as done. On a real Temporal server the rollback's routing write takes
 * long enough for a pause through another API node to land in that window (TwoNodesIT on the CLI
 * dev server, docs/reliability.md fault 5); here the write is held until the pause is in.
 */
class RolloutControlsAtTheEndTest extends RolloutTestServer {
  private final CountDownLatch rollbackHeld = new CountDownLatch(1);

  @AfterEach
  void releaseTheRollback() {
    rollbackHeld.countDown();
  }

  @Test
  void aPauseTakenWhileTheAbortRollsBackIsRefusedAndNotAudited() throws Exception {
    fake.analysis = r -> FakeActivities.report(Decision.INCONCLUSIVE, GateKind.QUALITY, 10, 10);
    fake.releaseHeld = rollbackHeld;
    RolloutWorkflow workflow = Scenarios.start(client, Scenarios.spec(InconclusivePolicy.HOLD, 0));
    env.sleep(Duration.ofMinutes(2));

    CompletableFuture<ControlResult> abort =
        CompletableFuture.supplyAsync(
            () -> workflow.abort(new ControlRequest("ana", "wrong version")));
    assertThat(fake.releaseWaiting.await(30, TimeUnit.SECONDS))
        .as("the abort's rollback started")
        .isTrue();
    assertThat(workflow.progress().state())
        .as("not ended while routing is reset, so a pause passes its validator")
        .isEqualTo(RolloutState.CANARY);
    WorkflowUpdateHandle<ControlResult> pause =
        WorkflowStub.fromTyped(workflow)
            .startUpdate(
                RolloutMessages.PAUSE,
                WorkflowUpdateStage.ACCEPTED,
                ControlResult.class,
                new ControlRequest("bob", "look first"));
    rollbackHeld.countDown();

    assertThat(abort.get(30, TimeUnit.SECONDS).state()).isEqualTo(RolloutState.ABORTED);
    assertThatThrownBy(() -> pause.getResultAsync().get(30, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(WorkflowUpdateException.class)
        .cause()
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            failure -> {
              assertThat(failure.getType()).isEqualTo(RolloutMessages.CONTROL_NOT_ALLOWED);
              assertThat(failure.getOriginalMessage())
                  .isEqualTo(
                      "the rollout ended (ABORTED) before this rollout.pause was handled; it had"
                          + " no effect");
            });
    assertThat(result().state()).isEqualTo(RolloutState.ABORTED);
    assertThat(fake.audits)
        .as("only the abort was acted on")
        .extracting(AuditEntry::action)
        .containsExactly("rollout.abort");
  }
}
