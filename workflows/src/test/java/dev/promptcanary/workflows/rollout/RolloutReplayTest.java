package dev.promptcanary.workflows.rollout;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.NonDeterministicException;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Histories recorded from released workflow code must replay on the current code: a change that would break
 * running rollouts fails here and has to go behind {@code Workflow.getVersion}.
 */
class RolloutReplayTest {

  @ParameterizedTest
  @ValueSource(strings = {"rollback-regression.json", "pause-resume-bypass.json", "promotion-first-run.json",
      "judge-hold-abort.json"})
  void recordedHistoriesReplayOnTheCurrentCode(String history) {
    assertThatCode(() -> WorkflowReplayer.replayWorkflowExecutionFromResource(
            "histories/" + history, RolloutWorkflowImpl.class))
        .doesNotThrowAnyException();
  }

  @Test
  void aChangedWorkflowIsCaughtAsNonDeterministic() {
    assertThatThrownBy(() -> WorkflowReplayer.replayWorkflowExecutionFromResource(
            "histories/rollback-regression.json", DriftedRolloutWorkflow.class))
        // The replayer reports the failure of its replay query, naming the cause in the message.
        .hasMessageContaining(NonDeterministicException.class.getName())
        .hasMessageContaining("does not match");
  }

  /** The rollout as someone might carelessly change it: it now sleeps before doing anything else. */
  public static class DriftedRolloutWorkflow extends RolloutWorkflowImpl {
    @Override
    public RolloutResult run(RolloutInput input) {
      Workflow.sleep(Duration.ofSeconds(1));
      return super.run(input);
    }
  }
}
