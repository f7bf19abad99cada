package dev.promptcanary.activities.eval;

import dev.promptcanary.workflows.rollout.EvalRequest;
import dev.promptcanary.workflows.rollout.EvalSummary;

/** Runs a named offline eval suite for a candidate against its baseline. */
public interface EvalRunner {
  EvalSummary run(EvalRequest request);
}
