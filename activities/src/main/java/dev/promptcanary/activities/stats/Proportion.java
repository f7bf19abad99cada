package dev.promptcanary.activities.stats;

/**
 * Sufficient statistics of a binary metric in one arm: {@code count(*), count(*) filter (where
 * flag)}.
 */
public record Proportion(long trials, long events) {

  public static final Proportion EMPTY = new Proportion(0, 0);

  public Proportion {
    if (trials < 0 || events < 0 || events > trials) {
      throw new IllegalArgumentException(
          "need 0 <= events <= trials; got " + events + "/" + trials);
    }
  }

  public double rate() {
    return trials == 0 ? 0 : (double) events / trials;
  }

  /**
   * Agresti-Caffo rate, one pseudo event and one pseudo non-event added. Used for the variance and
   * the bound's centre so that a rare event seen 0 times early on cannot give a zero variance and a
   * falsely narrow bound.
   */
  double adjustedRate() {
    return (events + 1.0) / (trials + 2.0);
  }

  /** Variance of {@link #adjustedRate()}. */
  double adjustedVariance() {
    double p = adjustedRate();
    return p * (1 - p) / (trials + 2.0);
  }
}
