package dev.promptcanary.bench.decision;

/** What the right call is in a scenario, which decides how each outcome is scored. */
enum Truth {
  /** Canary identical to the baseline: any rollback is a false rollback. */
  NO_REGRESSION,
  /**
   * Canary worse, but by less than the configured margin: either call is defensible; reported only.
   */
  INSIDE_MARGIN,
  /**
   * Canary worse by at least the margin: not rolling back is a miss, promoting a false promotion.
   */
  REGRESSION,
  /** The traffic split is broken: promoting is wrong whatever the metrics say. */
  SAMPLE_RATIO_MISMATCH
}
