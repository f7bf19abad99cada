package dev.promptcanary.api.evals;

/** Where an eval run without a rollout is. */
public enum EvalRunState {
  RUNNING,
  /** The suite's gate let the candidate through. */
  PASSED,
  /** The gate blocked the candidate. */
  FAILED,
  /** No verdict: the run could not finish (model, judge, worker or workflow failure). */
  ERROR;

  public boolean isFinal() {
    return this != RUNNING;
  }
}
