package dev.promptcanary.workflows.eval;

import dev.promptcanary.workflows.rollout.ActivityStubs;
import dev.promptcanary.workflows.rollout.EvalRequest;
import dev.promptcanary.workflows.rollout.EvalSummary;
import dev.promptcanary.workflows.rollout.RolloutActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Workflow;

/**
 * Runs the rollout's {@code RunOfflineEval} activity once for the input and returns its summary.
 * The eval id is the runner's run key, so a retried attempt resumes from the cases already stored,
 * and a run that reached a verdict is answered from the store.
 */
public class EvalRunWorkflowImpl implements EvalRunWorkflow {

  @Override
  public EvalRunResult run(EvalRunInput input) {
    RolloutActivities activities =
        Workflow.newActivityStub(
            RolloutActivities.class,
            ActivityOptions.newBuilder(ActivityStubs.evalOptions())
                .setSummary("eval " + input.suite())
                .build());
    EvalRequest request =
        new EvalRequest(
            input.evalId(),
            input.prompt(),
            input.candidateVersion(),
            input.baselineVersion(),
            input.suite());
    try {
      return new EvalRunResult(activities.runOfflineEval(request), null);
    } catch (ActivityFailure e) {
      String failure = rootMessage(e);
      return new EvalRunResult(
          new EvalSummary(false, "eval run failed: " + failure, 0, 0, 0), failure);
    }
  }

  /** What actually went wrong, not Temporal's wrapping of it. */
  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t instanceof TemporalFailure failure ? failure.getOriginalMessage() : t.getMessage();
  }
}
