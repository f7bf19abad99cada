package dev.promptcanary.bench.decision;

import java.util.Arrays;

/**
 * The latency cuts of one stage, frozen at its start from a pre-stage sample of baseline latencies
 * ({@link #PRE_STAGE_SAMPLE} of them), the way the data path estimates them: {@code
 * percentile_cont(q)} at each tested quantile.
 */
final class LatencyCuts {
  /** The quantiles the latency gate may test; the engine reads the ones it is configured for. */
  static final double[] QUANTILES = {0.50, 0.95, 0.99};

  /** Baseline latencies the cut is estimated from, as the data path does before a stage. */
  static final int PRE_STAGE_SAMPLE = 5_000;

  private LatencyCuts() {}

  /**
   * {@code percentile_cont} of each of {@link #QUANTILES} over {@code sample} (sorted in place).
   */
  static double[] of(double[] sample) {
    Arrays.sort(sample);
    double[] cuts = new double[QUANTILES.length];
    for (int i = 0; i < cuts.length; i++) {
      double pos = QUANTILES[i] * (sample.length - 1);
      int lo = (int) Math.floor(pos);
      int hi = Math.min(sample.length - 1, lo + 1);
      cuts[i] = sample[lo] + (pos - lo) * (sample[hi] - sample[lo]);
    }
    return cuts;
  }
}
