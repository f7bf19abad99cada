package dev.promptcanary.activities.eval;

import dev.promptcanary.workflows.rollout.EvalRequest;
import dev.promptcanary.workflows.rollout.EvalSummary;

/**
 * The runner until eval suites exist in the store: a rollout that names a suite is blocked with a clear reason
 * rather than let through untested.
 */
public final class NoSuitesEvalRunner implements EvalRunner {
  @Override
  public EvalSummary run(EvalRequest request) {
    return new EvalSummary(false, "eval suite '" + request.suite() + "' does not exist", 0, 0, 0);
  }
}
