package dev.promptcanary.workflows.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.testing.TestWorkflowEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Records the histories {@link EvalRunReplayTest} guards, from the released workflow code. Run only
 * on purpose: {@code mvn -pl workflows test -Dtest=EvalRunHistoryRecorder -DrecordHistories=true}.
 * An existing history is never re-recorded.
 */
@EnabledIfSystemProperty(named = "recordHistories", matches = "true")
class EvalRunHistoryRecorder {
  private static final Path OUT = Path.of("src/test/resources/histories/eval-run");

  @Test
  void recordPassed() throws Exception {
    record(new ScriptedEval(), "passed.json");
  }

  @Test
  void recordRetriedThenBlocked() throws Exception {
    record(retriedThenBlocked(), "retried-then-blocked.json");
  }

  /** Under eval-quick-heartbeat-timeout: a failed attempt retried after 1 s, then blocked. */
  @Test
  void recordRetriedThenBlockedWithTheQuickHeartbeatTimeout() throws Exception {
    record(retriedThenBlocked(), "retried-then-blocked-quick-heartbeat.json");
  }

  private static ScriptedEval retriedThenBlocked() {
    ScriptedEval activities = new ScriptedEval();
    activities.failures = 1;
    activities.answer =
        new dev.promptcanary.workflows.rollout.EvalSummary(
            false, "eval suite faq v1 blocked the candidate: pass rate 33.3%", 3, 0.333, 1);
    return activities;
  }

  @Test
  void recordGaveUp() throws Exception {
    ScriptedEval activities = new ScriptedEval();
    activities.failures = Integer.MAX_VALUE;
    record(activities, "gave-up.json");
  }

  private static void record(ScriptedEval activities, String file) throws Exception {
    TestWorkflowEnvironment env = ScriptedEval.environment(activities);
    try {
      ScriptedEval.stub(env).run(ScriptedEval.input());
      String json = env.getWorkflowClient().fetchHistory(ScriptedEval.EVAL_ID).toJson(true);
      assertThat(json).contains(EvalRunWorkflow.WORKFLOW_TYPE);
      Files.createDirectories(OUT);
      Path target = OUT.resolve(file);
      if (!Files.exists(target)) {
        Files.writeString(target, json);
      }
    } finally {
      env.close();
    }
  }
}
