package dev.promptcanary.workflows.domain;

/**
 * What the statistics engine concluded for one gate, or for the rollout as a whole.
 *
 * <p>The rollout workflow maps these to actions: {@link #REGRESSION} rolls back, {@link
 * #NON_INFERIOR} promotes (when it is the overall decision), {@link #INCONCLUSIVE} and {@link
 * #INSUFFICIENT_DATA} keep waiting, and {@link #SAMPLE_RATIO_MISMATCH} holds the rollout (or rolls
 * it back when its spec asks) because the traffic split itself is broken, so no comparison between
 * the arms can be trusted; {@link #JUDGE_UNHEALTHY} holds the rollout.
 */
public enum Decision {
  /**
   * The always-valid bound shows the canary worse than the baseline by more than the minimum
   * effect.
   */
  REGRESSION,
  /** The always-valid bound shows the canary no worse than the baseline by more than the margin. */
  NON_INFERIOR,
  /** Enough data to test, but the bound still straddles the thresholds: keep waiting. */
  INCONCLUSIVE,
  /** Fewer observations than the configured minimum in at least one arm: keep waiting. */
  INSUFFICIENT_DATA,
  /**
   * The observed canary share of units contradicts the configured weight: the rollout holds (or
   * rolls back).
   */
  SAMPLE_RATIO_MISMATCH,
  /**
   * The judge fails too often, or scores one arm more than its share of traffic: the quality data
   * is biased, so the rollout holds (neither promotes nor rolls back on it) until a person looks.
   */
  JUDGE_UNHEALTHY
}
