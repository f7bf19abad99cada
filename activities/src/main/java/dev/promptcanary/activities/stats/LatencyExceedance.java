package dev.promptcanary.activities.stats;

/**
 * Latency summarised against the baseline's own quantile, which is all the latency gate needs and
 * two SQL statements give: {@code q = percentile_cont(0.95) within group (order by latency_ms)}
 * over the baseline, then {@code count(*) filter (where latency_ms > q)} per arm.
 *
 * @param quantile the quantile used as the cut, e.g. 0.95
 * @param stableQuantileMs the baseline's latency at that quantile (reported, not tested)
 * @param canaryAbove canary requests slower than the cut
 * @param canaryCount canary requests with a latency
 * @param stableAbove baseline requests slower than the cut (about {@code (1 - quantile) *
 *     stableCount})
 * @param stableCount baseline requests with a latency
 */
public record LatencyExceedance(
    double quantile,
    double stableQuantileMs,
    long canaryAbove,
    long canaryCount,
    long stableAbove,
    long stableCount) {

  public LatencyExceedance {
    if (!(quantile > 0 && quantile < 1)) {
      throw new IllegalArgumentException("quantile must be in (0, 1), got " + quantile);
    }
    if (canaryAbove < 0
        || canaryAbove > canaryCount
        || stableAbove < 0
        || stableAbove > stableCount) {
      throw new IllegalArgumentException("need 0 <= above <= count in both arms");
    }
  }

  /** No latency data yet. */
  public static LatencyExceedance none(double quantile) {
    return new LatencyExceedance(quantile, 0, 0, 0, 0, 0);
  }

  Proportion canary() {
    return new Proportion(canaryCount, canaryAbove);
  }

  Proportion stable() {
    return new Proportion(stableCount, stableAbove);
  }
}
