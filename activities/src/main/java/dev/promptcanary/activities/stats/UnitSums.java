package dev.promptcanary.activities.stats;

/**
 * One arm's metric summed per randomisation unit (a session or a user), as SQL computes it: with
 * {@code N_u} the unit's count (requests, scores, latencies) and {@code S_u} its sum (score sum,
 * errors, requests above a latency cut), these are {@code count(units), sum(N), sum(S), sum(N^2),
 * sum(S^2), sum(N S)}.
 *
 * <p>The metric is the ratio of sums {@code R = sum(S) / sum(N)} (a per-request mean over the arm).
 * Routing randomises units, not requests, so its variance comes from the delta method over units
 * (Deng, Knoblich and Lu, "Applying the Delta Method in Metric Analytics", KDD 2018):
 *
 * <pre>
 *   Var(R) ~ (Var(S) - 2 R Cov(S, N) + R^2 Var(N)) / (K mean(N)^2),
 * </pre>
 *
 * with K units and the variances and covariance taken over units. When every unit makes one request
 * this is the usual {@code s^2 / n}; when requests within a unit are alike it is larger by the
 * design effect {@code 1 + (m - 1) rho}.
 *
 * @param units units with at least one counted item ({@code N_u > 0})
 * @param n {@code sum(N_u)}: the items, e.g. requests
 * @param s {@code sum(S_u)}: the metric's total, e.g. errors or the sum of scores
 * @param nn {@code sum(N_u^2)}
 * @param ss {@code sum(S_u^2)}
 * @param ns {@code sum(N_u S_u)}
 */
public record UnitSums(long units, double n, double s, double nn, double ss, double ns) {

  public static final UnitSums EMPTY = new UnitSums(0, 0, 0, 0, 0, 0);

  public UnitSums {
    if (units < 0
        || !(n >= 0)
        || !Double.isFinite(n)
        || !Double.isFinite(s)
        || !(nn >= 0)
        || !Double.isFinite(nn)
        || !(ss >= 0)
        || !Double.isFinite(ss)
        || !Double.isFinite(ns)) {
      throw new IllegalArgumentException(
          "need units >= 0, n, nn, ss >= 0 and finite sums; got "
              + units
              + ", "
              + n
              + ", "
              + s
              + ", "
              + nn
              + ", "
              + ss
              + ", "
              + ns);
    }
    if (units == 0 && n > 0) {
      throw new IllegalArgumentException("items without units: n = " + n);
    }
  }

  /** Every request its own unit: the summary of independent values (one-request sessions). */
  public static UnitSums iid(Moments m) {
    return new UnitSums(m.count(), m.count(), m.sum(), m.count(), m.sumOfSquares(), m.sum());
  }

  /** Every request its own unit, for a binary metric: S_u^2 = S_u. */
  public static UnitSums iid(Proportion p) {
    return new UnitSums(p.trials(), p.trials(), p.events(), p.trials(), p.events(), p.events());
  }

  /** The summary of units given by their counts and sums (tests and simulations). */
  public static UnitSums ofUnits(double[] counts, double[] sums) {
    if (counts.length != sums.length) {
      throw new IllegalArgumentException("counts and sums differ in length");
    }
    UnitSums total = EMPTY;
    for (int i = 0; i < counts.length; i++) {
      total = total.plusUnit(counts[i], sums[i]);
    }
    return total;
  }

  /**
   * Adds one unit with {@code count} items summing to {@code sum}; a unit with no items adds
   * nothing.
   */
  public UnitSums plusUnit(double count, double sum) {
    if (count <= 0) {
      return this;
    }
    return new UnitSums(
        units + 1, n + count, s + sum, nn + count * count, ss + sum * sum, ns + count * sum);
  }

  /** Both summaries' units together (disjoint sets of units). */
  public UnitSums plus(UnitSums other) {
    return new UnitSums(
        units + other.units, n + other.n, s + other.s, nn + other.nn, ss + other.ss, ns + other.ns);
  }

  /** The per-item mean, {@code sum(S) / sum(N)}; 0 without items. */
  public double mean() {
    return n == 0 ? 0 : s / n;
  }

  /** Items per unit on average. */
  public double itemsPerUnit() {
    return units == 0 ? 0 : n / units;
  }

  /**
   * Delta-method variance of {@link #mean()} over units (formula above), clamped at 0 against
   * rounding; 0 with fewer than two units.
   */
  public double varianceOfMean() {
    if (units < 2 || n == 0) {
      return 0;
    }
    double k = units;
    double r = s / n;
    double varS = (ss - s * s / k) / (k - 1);
    double varN = (nn - n * n / k) / (k - 1);
    double cov = (ns - n * s / k) / (k - 1);
    double meanN = n / k;
    double v = (varS - 2 * r * cov + r * r * varN) / (k * meanN * meanN);
    return Math.max(0, v);
  }

  /**
   * The design effect: {@link #varianceOfMean()} over the variance the same items would have if
   * they were independent ({@code per-item variance / n}); 1 for one-item units, {@code 1 + (m - 1)
   * rho} for units of m correlated items. NaN when the per-item variance is unknown (0).
   *
   * @param perItemVariance the variance of one item's value, e.g. {@code p (1 - p)} for a rate
   */
  public double designEffect(double perItemVariance) {
    if (n == 0 || !(perItemVariance > 0)) {
      return Double.NaN;
    }
    return varianceOfMean() / (perItemVariance / n);
  }

  /**
   * {@code sum over units of (S_u - R N_u)^2}, R = {@link #mean()}: the residuals the delta method
   * squares, clamped at 0 against rounding.
   */
  public double residualSumOfSquares() {
    double r = mean();
    return Math.max(0, ss - 2 * r * ns + r * r * nn);
  }

  /**
   * {@link #varianceOfMean()}, or, when larger, the same with the per-unit residual variance pooled
   * over this arm and {@code other}: {@code (RSS_a + RSS_b) / (K_a + K_b - 2) / (K_a mean(N_a)^2)}.
   * A small arm (a 5% canary has a twentieth of the units) estimates its variance from few
   * sessions, and an underestimate is what makes a bound cross falsely; the other arm's sessions,
   * randomised from the same traffic, steady it. Taking the larger keeps it conservative when the
   * arms really differ in spread.
   */
  public double varianceOfMeanPooledWith(UnitSums other) {
    double own = varianceOfMean();
    long k = units + other.units;
    if (units < 2 || k < 3 || n == 0) {
      return own;
    }
    double residualVariance = (residualSumOfSquares() + other.residualSumOfSquares()) / (k - 2);
    double meanN = n / units;
    return Math.max(own, residualVariance / (units * meanN * meanN));
  }
}
