package dev.promptcanary.workflows.rollout;

/**
 * What a stage does when the sample ratio check shows the traffic split is broken (the canary's
 * observed share contradicts its weight). A broken split makes every comparison between the arms
 * untrustworthy, but it does not prove the canary bad, so by default the rollout holds.
 */
public enum SrmPolicy {
  /**
   * Hold at the current weight and alert: a person fixes the split and resumes (the stage starts
   * over).
   */
  HOLD,
  /** Roll back. */
  ROLLBACK
}
