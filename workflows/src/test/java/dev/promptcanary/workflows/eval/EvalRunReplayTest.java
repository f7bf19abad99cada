package dev.promptcanary.workflows.eval;

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
 * Histories recorded from released eval-run code ({@code histories/eval-run/}) must replay on the
 * current code: a change that would break running evals has to go behind {@code
 * Workflow.getVersion}.
 */
class EvalRunReplayTest {
  static final List<String> HISTORIES =
      List.of(
          "passed.json",
          "retried-then-blocked.json",
          "gave-up.json",
          // eval-quick-heartbeat-timeout
          "retried-then-blocked-quick-heartbeat.json");

  static List<String> histories() {
    return HISTORIES;
  }

  @Test
  void everyRecordedHistoryIsReplayed() throws Exception {
    Path dir = Path.of(EvalRunReplayTest.class.getResource("/histories/eval-run").toURI());
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .containsExactlyInAnyOrderElementsOf(HISTORIES);
    }
  }

  @ParameterizedTest
  @MethodSource("histories")
  void recordedHistoriesReplayOnTheCurrentCode(String history) {
    assertThatCode(
            () ->
                WorkflowReplayer.replayWorkflowExecutionFromResource(
                    "histories/eval-run/" + history, EvalRunWorkflowImpl.class))
        .doesNotThrowAnyException();
  }

  @Test
  void aChangedWorkflowIsCaughtAsNonDeterministic() {
    assertThatThrownBy(
            () ->
                WorkflowReplayer.replayWorkflowExecutionFromResource(
                    "histories/eval-run/passed.json", DriftedEvalRunWorkflow.class))
        .hasMessageContaining(NonDeterministicException.class.getName());
  }

  /** The eval run as someone might carelessly change it: it now sleeps first. */
  public static class DriftedEvalRunWorkflow extends EvalRunWorkflowImpl {
    @Override
    public EvalRunResult run(EvalRunInput input) {
      Workflow.sleep(Duration.ofSeconds(1));
      return super.run(input);
    }
  }
}
