package dev.promptcanary.activities.stats;

/**
 * Sufficient statistics of a real-valued metric in one arm, as SQL computes them: {@code count(x),
 * sum(x), sum(x * x)}.
 */
public record Moments(long count, double sum, double sumOfSquares) {

  public static final Moments EMPTY = new Moments(0, 0, 0);

  public Moments {
    if (count < 0 || !Double.isFinite(sum) || !Double.isFinite(sumOfSquares) || sumOfSquares < 0) {
      throw new IllegalArgumentException(
          "need count >= 0 and finite sums; got " + count + ", " + sum + ", " + sumOfSquares);
    }
  }

  /** Builds the summary of the given values (tests and simulations). */
  public static Moments of(double... values) {
    double sum = 0;
    double squares = 0;
    for (double v : values) {
      sum += v;
      squares += v * v;
    }
    return new Moments(values.length, sum, squares);
  }

  public Moments plus(double value) {
    return new Moments(count + 1, sum + value, sumOfSquares + value * value);
  }

  public double mean() {
    return count == 0 ? 0 : sum / count;
  }

  /**
   * Unbiased sample variance; clamped at 0 because sum-of-squares arithmetic can go a hair negative
   * on constant data.
   */
  public double variance() {
    if (count < 2) {
      return 0;
    }
    double centred = sumOfSquares - sum * sum / count;
    return Math.max(0, centred / (count - 1));
  }
}
