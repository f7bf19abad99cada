package dev.promptcanary.workflows.rollout;

/**
 * Why a rollout is {@link RolloutState#PAUSED}. Every reason resumes the same way, by a person's
 * {@code resume} (or ends by {@code bypass} or {@code abort}); what a resume does differs:
 *
 * <ul>
 *   <li>{@link #USER}, {@link #INCONCLUSIVE}, {@link #STEP_FAILED}: the stage goes on with the data
 *       it has; time paused is not bake time, and a held stage gets another maximum bake.
 *   <li>{@link #JUDGE_UNHEALTHY}, {@link #SAMPLE_RATIO_MISMATCH}: the stage starts over at its
 *       weight, so its test uses only data from after the cause was fixed.
 * </ul>
 *
 * <p>{@link Hold} carries these rules out; it is the one pause path of the workflow.
 */
public enum PauseReason {
  /** A person paused it. */
  USER,
  /**
   * A stage reached its maximum bake without a decision (HOLD, or EXTEND with its extensions
   * spent).
   */
  INCONCLUSIVE,
  /** The judge fails too often or scores one arm more than its share: quality scores are biased. */
  JUDGE_UNHEALTHY,
  /** The canary's observed traffic share contradicts its weight: the split is broken. */
  SAMPLE_RATIO_MISMATCH,
  /** A step (e.g. the look at the data) kept failing after its retries. */
  STEP_FAILED;

  /**
   * Whether a resume starts the stage over (fresh data at its weight) rather than going on with it.
   */
  public boolean restartsStage() {
    return this == JUDGE_UNHEALTHY || this == SAMPLE_RATIO_MISMATCH;
  }
}
