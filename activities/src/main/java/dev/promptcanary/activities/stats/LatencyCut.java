package dev.promptcanary.activities.stats;

import java.util.Objects;

/**
 * Latency against one fixed cut, per unit: in each arm N_u is the unit's requests with a latency
 * and S_u how many were slower than {@code cutMs}. The cut is the baseline's {@code quantile},
 * frozen for the stage (estimated once, not at every look), so the tested quantity is a fixed
 * function of the data and the always-valid guarantee holds.
 *
 * @param quantile the baseline quantile the cut stands for, e.g. 0.95
 * @param cutMs the cut in milliseconds
 * @param canaryAbove canary: requests per unit, and how many were slower than the cut
 * @param stableAbove baseline: the same
 */
public record LatencyCut(
    double quantile, double cutMs, UnitSums canaryAbove, UnitSums stableAbove) {

  public LatencyCut {
    if (!(quantile > 0 && quantile < 1)) {
      throw new IllegalArgumentException("quantile must be in (0, 1), got " + quantile);
    }
    if (!(cutMs >= 0) || !Double.isFinite(cutMs)) {
      throw new IllegalArgumentException("cutMs must be finite and >= 0, got " + cutMs);
    }
    Objects.requireNonNull(canaryAbove, "canaryAbove");
    Objects.requireNonNull(stableAbove, "stableAbove");
  }

  /**
   * The per-request exceedance counts of the earlier, unit-less summary: each request its own unit.
   */
  public static LatencyCut of(LatencyExceedance e) {
    return new LatencyCut(
        e.quantile(),
        e.stableQuantileMs(),
        UnitSums.iid(new Proportion(e.canaryCount(), e.canaryAbove())),
        UnitSums.iid(new Proportion(e.stableCount(), e.stableAbove())));
  }
}
