package dev.promptcanary.workflows.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Latency gate. Latency is heavy tailed, so it is never tested on the mean: for each of its {@code
 * quantiles} q the tested quantity is the share of canary requests slower than the baseline's q (a
 * cut frozen for the stage), minus the baseline's own share (about {@code 1 - q}). A canary whose
 * p95 moved up shows as more than 5% of its requests above the baseline p95, whatever happens to
 * its median or mean; its median moving shows at p50, its far tail at p99. The gate's alpha is
 * split evenly over its quantiles, and each gives its own verdict ({@code metric} "p50", "p95", …).
 *
 * <p>{@code quantile} and {@code margin} are the single cut of rollouts started before {@code
 * quantiles}: JSON without {@code quantiles} means that one cut, in non-inferiority mode.
 *
 * @param enabled whether the gate takes part in the verdict
 * @param alphaShare this gate's weight in the split of {@link GatesConfig#alpha()}
 * @param quantile the single cut of earlier rollouts; used only when {@code quantiles} is absent
 * @param margin that cut's margin; used only when {@code quantiles} is absent
 * @param minimumEffect roll back once the lower bound of an exceedance difference is above it
 * @param tau mixing standard deviation; {@code 0} tunes it to each quantile's margin
 * @param mode see {@link GateMode}; absent: non-inferiority
 * @param quantiles the baseline quantiles cut at, increasing, each in (0, 1)
 * @param margins one per quantile: non-inferior once the upper bound of the exceedance difference
 *     is below it (0.05 at p95: at most 10% of canary requests above the baseline p95); absent:
 *     {@link #defaultMargin(double)} for each
 * @param minimumPower in harm-detection mode, hold the promotion until each quantile's sample would
 *     detect a rise of its margin with this power (a single-look calculation); 0: off
 * @param promotionConfidence in harm-detection mode, hold the promotion until a rise of each
 *     quantile's margin is ruled out at this confidence by a sequential probability ratio test (no
 *     rise against a rise of the margin), so a canary worse by the margin or more is promoted with
 *     probability at most {@code 1 - promotionConfidence} however often the rollout looks (its
 *     power against the margin, sequentially); a quantile without a cut yet (no latency reported)
 *     does not hold; 0: off, as in rollouts started before it
 * @param dryRun evaluated, recorded and shown, never deciding: its verdict takes no part in the
 *     overall one (false when absent)
 */
public record LatencyGate(
    boolean enabled,
    double alphaShare,
    double quantile,
    double margin,
    double minimumEffect,
    double tau,
    GateMode mode,
    List<Double> quantiles,
    List<Double> margins,
    double minimumPower,
    double promotionConfidence,
    boolean dryRun) {

  /** At most this many quantiles: each one costs the others alpha. */
  public static final int MAX_QUANTILES = 5;

  /**
   * The default guard: a latency rise of a margin or more is promoted in at most 20% of rollouts
   * (80% power against it, sequentially).
   */
  public static final double DEFAULT_PROMOTION_CONFIDENCE = 0.8;

  public LatencyGate {
    GateChecks.share(alphaShare);
    if (!(quantile > 0 && quantile < 1)) {
      throw new GateConfigException("quantile", "must be in (0, 1), got " + quantile);
    }
    GateChecks.effect("margin", margin, 1);
    GateChecks.effect("minimumEffect", minimumEffect, 1);
    GateChecks.tau(tau);
    mode = GateChecks.mode(mode, GateMode.NON_INFERIORITY);
    GateChecks.power(minimumPower);
    if (!(promotionConfidence == 0 || promotionConfidence >= 0.5 && promotionConfidence <= 0.999)) {
      throw new GateConfigException(
          "promotionConfidence", "must be 0 (off) or in [0.5, 0.999], got " + promotionConfidence);
    }
    boolean legacy = quantiles == null;
    quantiles = legacy ? List.of(quantile) : List.copyOf(checkedQuantiles(quantiles));
    if (margins == null) {
      List<Double> derived = new ArrayList<>();
      for (double q : quantiles) {
        derived.add(legacy ? margin : defaultMargin(q));
      }
      margins = List.copyOf(derived);
    } else {
      margins = List.copyOf(checkedMargins(margins, quantiles.size(), tau));
    }
  }

  /**
   * The same gate in harm detection with a promotion guard at {@code confidence} (0: off), the rest
   * unchanged.
   */
  public LatencyGate withPromotionConfidence(double confidence) {
    return new LatencyGate(
        enabled,
        alphaShare,
        quantile,
        margin,
        minimumEffect,
        tau,
        mode,
        quantiles,
        margins,
        minimumPower,
        confidence,
        dryRun);
  }

  private static List<Double> checkedQuantiles(List<Double> quantiles) {
    if (quantiles.isEmpty() || quantiles.size() > MAX_QUANTILES) {
      throw new GateConfigException(
          "quantiles", "must list 1 to " + MAX_QUANTILES + " quantiles, got " + quantiles.size());
    }
    for (int i = 0; i < quantiles.size(); i++) {
      Double q = quantiles.get(i);
      if (q == null || !(q > 0 && q < 1)) {
        throw new GateConfigException("quantiles[" + i + "]", "must be in (0, 1), got " + q);
      }
      if (i > 0 && !(q > quantiles.get(i - 1))) {
        throw new GateConfigException(
            "quantiles[" + i + "]",
            "quantiles must increase; " + q + " does not exceed " + quantiles.get(i - 1));
      }
    }
    return quantiles;
  }

  private static List<Double> checkedMargins(List<Double> margins, int count, double tau) {
    if (margins.size() != count) {
      throw new GateConfigException(
          "margins", "must give one margin per quantile (" + count + "), got " + margins.size());
    }
    for (int i = 0; i < margins.size(); i++) {
      Double m = margins.get(i);
      if (m == null || !(m == 0 || m >= GateChecks.MIN_EFFECT && m <= 1) || m == 0 && tau == 0) {
        throw new GateConfigException(
            "margins[" + i + "]",
            "must be in [" + GateChecks.MIN_EFFECT + ", 1] (0 only with a fixed tau), got " + m);
      }
    }
    return margins;
  }

  /**
   * The margin a quantile gets when none is given: the share above it doubled (+100% relative),
   * with a floor of 1.5 points and a cap of 10: p50 0.10 (60% of canary requests slower than the
   * baseline median), p95 0.05 (10% above the baseline p95 instead of 5%), p99 0.015 (2.5% above
   * the baseline p99 instead of 1%). The floor keeps far tails affordable: a rise of 0.1 point at
   * p99.9 would take hundreds of thousands of requests to rule out.
   */
  public static double defaultMargin(double quantile) {
    return Math.round(Math.min(0.10, Math.max(0.015, 1 - quantile)) * 1e6) / 1e6;
  }

  /** The verdict label of a quantile: "p50", "p95", "p99", "p99.9". */
  public static String label(double quantile) {
    double percent = 100 * quantile;
    return Math.abs(percent - Math.rint(percent)) < 1e-9
        ? String.format(Locale.ROOT, "p%.0f", percent)
        : "p"
            + new java.math.BigDecimal(percent)
                .round(new java.math.MathContext(6))
                .stripTrailingZeros()
                .toPlainString();
  }

  /**
   * p50, p95 and p99 (margins 0.10, 0.05, 0.015), harm detection with a promotion guard at 80%: any
   * significant rise in the share above a baseline quantile rolls back, and the promotion waits
   * until a rise of each margin is ruled out at 80% (a regression of a margin is promoted in at
   * most one rollout in five, however often it looks).
   */
  public static LatencyGate defaults() {
    return new LatencyGate(
        true,
        0.02,
        0.95,
        defaultMargin(0.95),
        0.0,
        0.0,
        GateMode.HARM_DETECTION,
        List.of(0.5, 0.95, 0.99),
        null,
        0,
        DEFAULT_PROMOTION_CONFIDENCE,
        false);
  }
}
