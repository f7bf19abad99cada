package dev.promptcanary.workflows.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.NonDeterministicException;
import io.temporal.workflow.Workflow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Histories recorded from released workflow code must replay on the current code: a change that
 * would break running rollouts fails here and has to go behind {@code Workflow.getVersion}.
 */
class RolloutReplayTest {

  /**
   * The paths the recorded histories pin; every file in the directory must be one of them, and
   * replays.
   */
  static final List<String> HISTORIES =
      List.of(
          "rollback-regression.json",
          "pause-resume-bypass.json",
          "promotion-first-run.json",
          "judge-hold-abort.json",
          "extend-raise-hold-abort.json",
          "rollback-policy.json",
          "eval-suite-passed.json",
          "eval-suite-blocked.json",
          "bypass.json",
          "eval-abort.json",
          "judge-hold-resume.json",
          "promotion-second-run.json",
          "promotion-last-run.json",
          "srm-hold-resume.json",
          "srm-rollback-asked.json",
          // recorded from the code before "srm-holds" (an SRM rolled back), so not by today's
          // HistoryRecorder
          "srm-rollback-before-srm-holds.json",
          "look-fails-hold-resume.json",
          "abort-while-look-hangs.json",
          "abort-dead-webhook-failing-audit.json",
          "pause-during-eval.json",
          // approval-step
          "approval-approve.json",
          "approval-timeout-rollback.json",
          "approval-timeout-hold-pause-approve.json",
          // notify-only-alerts
          "notify-only-regression-hold-abort.json",
          // store-outage-retry
          "store-outage-ridden-out.json",
          "store-outage-hold-recorded-resume.json",
          // ended-rollout-refuses-waiting-controls
          "abort-refuses-waiting-pause.json",
          // controls carrying request ids (a payload field, no change id: the commands are the
          // same)
          "pause-abort-with-request-ids.json",
          // eval-quick-heartbeat-timeout
          "eval-suite-passed-quick-heartbeat.json",
          // look-local-first
          "rollback-regression-local-look.json",
          "store-outage-ridden-out-local-look.json",
          "abort-while-local-look-hangs.json");

  static List<String> histories() {
    return HISTORIES;
  }

  @Test
  void everyRecordedHistoryIsReplayed() throws Exception {
    Path dir = Path.of(RolloutReplayTest.class.getResource("/histories").toURI());
    try (Stream<Path> files = Files.list(dir)) {
      // subdirectories hold other workflows' histories (eval-run/: EvalRunReplayTest)
      assertThat(files.filter(Files::isRegularFile).map(f -> f.getFileName().toString()).sorted())
          .containsExactlyElementsOf(HISTORIES.stream().sorted().toList());
    }
  }

  @ParameterizedTest
  @MethodSource("histories")
  void recordedHistoriesReplayOnTheCurrentCode(String history) {
    assertThatCode(
            () ->
                WorkflowReplayer.replayWorkflowExecutionFromResource(
                    "histories/" + history, RolloutWorkflowImpl.class))
        .doesNotThrowAnyException();
  }

  @Test
  void aChangedWorkflowIsCaughtAsNonDeterministic() {
    assertThatThrownBy(
            () ->
                WorkflowReplayer.replayWorkflowExecutionFromResource(
                    "histories/rollback-regression.json", DriftedRolloutWorkflow.class))
        // The replayer reports the failure of its replay query, naming the cause in the message.
        .hasMessageContaining(NonDeterministicException.class.getName())
        .hasMessageContaining("does not match");
  }

  /**
   * The rollout as someone might carelessly change it: it now sleeps before doing anything else.
   */
  public static class DriftedRolloutWorkflow extends RolloutWorkflowImpl {
    @Override
    public RolloutResult run(RolloutInput input) {
      Workflow.sleep(Duration.ofSeconds(1));
      return super.run(input);
    }
  }
}
