package dev.promptcanary.activities.eval;

import dev.promptcanary.workflows.rollout.EvalRequest;
import dev.promptcanary.workflows.rollout.EvalSummary;

/**
 * The runner of a worker with no model endpoint configured: a rollout that names a suite is blocked
 * with a clear reason rather than let through untested.
 */
public final class NoSuitesEvalRunner implements EvalRunner {
  @Override
  public EvalSummary run(EvalRequest request) {
    return new EvalSummary(
        false,
        "eval suite '"
            + request.suite()
            + "' cannot run: this worker has no model endpoint configured",
        0,
        0,
        0);
  }
}
