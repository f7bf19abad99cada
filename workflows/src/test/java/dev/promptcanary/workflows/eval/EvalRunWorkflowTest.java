package dev.promptcanary.workflows.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptcanary.workflows.rollout.EvalRequest;
import dev.promptcanary.workflows.rollout.EvalSummary;
import io.temporal.api.history.v1.ActivityTaskScheduledEventAttributes;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.testing.TestWorkflowEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The eval run without a rollout, on Temporal's test server with scripted activities. */
class EvalRunWorkflowTest {
  private final ScriptedEval activities = new ScriptedEval();
  private TestWorkflowEnvironment env;

  @BeforeEach
  void start() {
    env = ScriptedEval.environment(activities);
  }

  @AfterEach
  void stop() {
    env.close();
  }

  @Test
  void runsTheRolloutsEvalActivityWithTheEvalIdAsItsRunKeyAndReturnsItsSummary() {
    EvalRunResult result = ScriptedEval.stub(env).run(ScriptedEval.input());

    assertThat(result.failure()).isNull();
    assertThat(result.summary()).isEqualTo(activities.answer);
    assertThat(activities.requests)
        .containsExactly(new EvalRequest(ScriptedEval.EVAL_ID, "support", 2, 1, "faq@1"));
    assertThat(activities.unexpected).isEmpty();
  }

  @Test
  void aGateThatBlocksIsAnAnswerNotAFailure() {
    activities.answer =
        new EvalSummary(false, "eval suite faq v1 blocked the candidate: pass rate", 3, 0.33, 1);

    EvalRunResult result = ScriptedEval.stub(env).run(ScriptedEval.input());

    assertThat(result.failure()).isNull();
    assertThat(result.summary().passed()).isFalse();
    assertThat(result.summary().reason()).contains("blocked the candidate");
  }

  @Test
  void aFailedAttemptIsRetriedWithTheSameRequestSoTheRunnerResumes() {
    activities.failures = 1;

    EvalRunResult result = ScriptedEval.stub(env).run(ScriptedEval.input());

    assertThat(result.failure()).isNull();
    assertThat(result.summary().passed()).isTrue();
    assertThat(activities.requests).hasSize(2);
    assertThat(activities.requests.get(1)).isEqualTo(activities.requests.get(0));
  }

  @Test
  void anEvalThatKeepsFailingEndsNotPassedWithTheReasonAfterItsBoundedAttempts() {
    activities.failures = Integer.MAX_VALUE;

    EvalRunResult result = ScriptedEval.stub(env).run(ScriptedEval.input());

    assertThat(activities.requests).hasSize(5);
    assertThat(result.failure()).isEqualTo("the store is unreachable (attempt 5)");
    assertThat(result.summary().passed()).isFalse();
    assertThat(result.summary().reason())
        .isEqualTo("eval run failed: the store is unreachable (attempt 5)");
  }

  /**
   * eval-quick-heartbeat-timeout: a new run schedules the eval with a 10 s heartbeat timeout, so a
   * dead worker's attempt is retried within seconds, 1 s apart, up to five attempts.
   */
  @Test
  void aNewRunSchedulesTheEvalWithTheQuickHeartbeatTimeout() {
    ScriptedEval.stub(env).run(ScriptedEval.input());

    ActivityTaskScheduledEventAttributes scheduled =
        env.getWorkflowClient().fetchHistory(ScriptedEval.EVAL_ID).getEvents().stream()
            .filter(HistoryEvent::hasActivityTaskScheduledEventAttributes)
            .map(HistoryEvent::getActivityTaskScheduledEventAttributes)
            .findFirst()
            .orElseThrow();
    assertThat(scheduled.getHeartbeatTimeout().getSeconds()).isEqualTo(10);
    assertThat(scheduled.getRetryPolicy().getInitialInterval().getSeconds()).isEqualTo(1);
    assertThat(scheduled.getRetryPolicy().getMaximumAttempts()).isEqualTo(5);
  }
}
