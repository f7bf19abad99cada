package dev.promptcanary.activities.stats;

import dev.promptcanary.workflows.domain.ComparisonGate;
import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.domain.GateMode;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * The decision rule shared by the comparison gates: one-sided always-valid bounds around the
 * estimate, a regression when the whole bound is on the harmful side of the minimum effect, and
 * non-inferiority when the bound clears the margin. A regression wins if both hold, so a verdict
 * can never move from REGRESSION to NON_INFERIOR as the bound tightens around the same estimate.
 *
 * <p>Whether the gate holds a promotion depends on its {@link GateMode}: a non-inferiority gate
 * holds until it is NON_INFERIOR; a harm-detection gate never holds, unless it has a minimum power,
 * and then until the sample would detect a harm of the margin's size with that power: {@code margin
 * >= minimumEffect + radius + z_power sqrt(V)}. Every outcome carries the MDE, the smallest harm
 * the sample so far detects with 80% power: {@code minimumEffect + radius + z_0.8 sqrt(V)}.
 *
 * <p>A harm-detection gate may also have a promotion guard at confidence {@code c}: Wald's
 * sequential probability ratio test of "no harm" (theta = 0) against "harm of the margin" (theta =
 * d), on the same centre and variance. It lets the promotion through only once the likelihood ratio
 * favours no harm by {@code 1 / (1 - c)}, i.e. once {@code centre <= d/2 - V ln(1 / (1 - c)) / d}.
 * Under a harm of d or more, {@code LR(0 : d) = exp((d^2/2 - d centre) / V)} is a nonnegative
 * (super)martingale in information time, so by Ville's inequality it ever reaches {@code 1 / (1 -
 * c)}, at any of the unlimited looks, with probability at most {@code 1 - c}: a sequential power
 * guarantee against the margin, unlike {@code minimumPower}'s single-look calculation, at the
 * smallest expected sample for an identical canary among such tests (Wald and Wolfowitz). It spends
 * no alpha: it can only hold a promotion, never roll back.
 *
 * <p>The margin may change from look to look (a relative margin follows the baseline's rate); with
 * {@code tau} 0 the mixing scale is then tuned to the current margin. Like the plug-in variance
 * this makes the boundary depend on an estimate that settles as data grows; the A/A simulations
 * measure what that costs (docs/statistics.md).
 */
final class Comparison {
  /** z of 80% power, the MDE's. */
  static final double Z_80 = 0.8416212335729143;

  private static final NormalDistribution NORMAL = new NormalDistribution(null, 0, 1);

  private final GateKind gate;
  private final String metric;
  private final boolean higherIsWorse;
  private final double alpha;
  private final double fixedTau;
  private final double tauPerMargin;
  private final double margin;
  private final double minimumEffect;
  private final double rangeLow;
  private final double rangeHigh;
  private final GateMode mode;
  private final double minimumPower;
  private final double zPower;
  private final double grossTau;
  private final double boundAlpha;
  private final double promotionConfidence;
  private final double guardLogRatio;

  /**
   * What the compared quantity can range over (bounds are clipped to it), and whether it gets a
   * second boundary tuned to a gross effect.
   */
  enum Range {
    /**
     * A difference of two rates (errors, flags, exceedances): in [-1, 1], with a second boundary
     * tuned to {@link #grossEffect(double)} of the margin. It shares the alpha with the one tuned
     * to the margin (alpha / 2 each) and the narrower of the two is used: a boundary tuned to a
     * 0.2-point rate margin is so wide for a large effect at small n that a prompt failing half its
     * requests would take hundreds of requests to roll back; the second catches it in a few dozen.
     * Both are always-valid, so their intersection is at alpha.
     */
    RATE_DIFFERENCE(-1, 1, true),
    /** A difference of two values in [0, 1] (judge scores), or a rate minus a fixed ceiling. */
    UNIT_DIFFERENCE(-1, 1, false),
    /** A difference of two means of values in [-1, 1] (user feedback). */
    FEEDBACK_DIFFERENCE(-2, 2, false),
    /** A ratio of two positive means, minus one (cost). */
    RELATIVE_CHANGE(-1, Double.MAX_VALUE, false),
    /** A difference of two means of any real values (a custom mean metric). */
    UNBOUNDED(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, false);

    final double low;
    final double high;
    final boolean grossBound;

    Range(double low, double high, boolean grossBound) {
      this.low = low;
      this.high = high;
      this.grossBound = grossBound;
    }
  }

  /**
   * @param gate which gate
   * @param metric which of the gate's verdicts (a quantile label, a metric name), or null
   * @param higherIsWorse true for error rate, latency, cost; false for quality
   * @param alpha one-sided error rate of each bound (the gate's share of the family-wise alpha)
   * @param tau mixing scale of the boundary; 0 tunes it to the margin of each look
   * @param margin the non-inferiority margin (>= 0, in the gate's units, harmful direction) when
   *     the look gives none
   * @param minimumEffect smallest harm that is rolled back (>= 0)
   * @param range what the estimated quantity can range over
   * @param mode non-inferiority or harm detection
   * @param minimumPower harm detection only: hold until this power against the margin; 0 = never
   * @param promotionConfidence harm detection only: hold the promotion until the sequential
   *     probability ratio test rules a harm of the margin out at this confidence; 0 = no guard
   */
  Comparison(
      GateKind gate,
      String metric,
      boolean higherIsWorse,
      double alpha,
      double tau,
      double margin,
      double minimumEffect,
      Range range,
      GateMode mode,
      double minimumPower,
      double promotionConfidence) {
    double grossEffect = range.grossBound ? grossEffect(margin) : 0;
    this.gate = gate;
    this.metric = metric;
    this.higherIsWorse = higherIsWorse;
    this.alpha = alpha;
    this.fixedTau = tau;
    this.tauPerMargin = OneSidedNormalMixture.tunedTau(grossEffect > 0 ? alpha / 2 : alpha, 1);
    this.margin = margin;
    this.minimumEffect = minimumEffect;
    this.rangeLow = range.low;
    this.rangeHigh = range.high;
    this.mode = mode;
    this.minimumPower = minimumPower;
    this.zPower = minimumPower > 0 ? NORMAL.inverseCumulativeProbability(minimumPower) : 0;
    this.boundAlpha = grossEffect > 0 ? alpha / 2 : alpha;
    this.grossTau = grossEffect > 0 ? OneSidedNormalMixture.tunedTau(boundAlpha, grossEffect) : 0;
    boolean guarded = mode == GateMode.HARM_DETECTION && promotionConfidence > 0;
    this.promotionConfidence = guarded ? promotionConfidence : 0;
    this.guardLogRatio = guarded ? Math.log(1 / (1 - promotionConfidence)) : 0;
  }

  /**
   * A gate's comparison as its settings give it, of the whole gate (no metric label) and without a
   * promotion guard.
   */
  Comparison(
      GateKind gate, boolean higherIsWorse, double alpha, Range range, ComparisonGate settings) {
    this(
        gate,
        null,
        higherIsWorse,
        alpha,
        settings.tau(),
        settings.margin(),
        settings.minimumEffect(),
        range,
        settings.mode(),
        settings.minimumPower(),
        0);
  }

  /** The effect the second boundary of a rate difference is tuned to: 10 points, or ten margins. */
  static double grossEffect(double margin) {
    return Math.min(1, Math.max(0.1, 10 * margin));
  }

  GateKind gate() {
    return gate;
  }

  String metric() {
    return metric;
  }

  boolean higherIsWorse() {
    return higherIsWorse;
  }

  double alpha() {
    return alpha;
  }

  double margin() {
    return margin;
  }

  GateMode mode() {
    return mode;
  }

  double minimumPower() {
    return minimumPower;
  }

  /**
   * How far the centre must have come down (harm of {@code d} in the harmful direction) before the
   * guard lets the promotion through: {@code d/2 - V ln(1 / (1 - c)) / d}, where the likelihood
   * ratio of no harm against a harm of {@code d} reaches {@code 1 / (1 - c)}.
   */
  double guardLimit(double variance, double d) {
    return d / 2 - variance * guardLogRatio / d;
  }

  /** The promotion guard's confidence; 0 = none. */
  double promotionConfidence() {
    return promotionConfidence;
  }

  /** The non-inferiority threshold at a margin, in the estimate's own sign convention. */
  double threshold(double atMargin) {
    return higherIsWorse ? atMargin : -atMargin;
  }

  /** The roll-back threshold in the estimate's own sign convention. */
  double rollbackThreshold() {
    return higherIsWorse ? minimumEffect : -minimumEffect;
  }

  /** Whether a gate without enough data holds the promotion: unless it only detects harm. */
  boolean holdsWithoutData() {
    return mode == GateMode.NON_INFERIORITY || minimumPower > 0;
  }

  GateOutcome insufficient(long canaryN, long stableN, double estimate) {
    return insufficient(canaryN, stableN, estimate, margin, false);
  }

  /**
   * @param atMargin this look's margin
   * @param skippedWithoutData whether the gate is skipped (does not hold the promotion) while
   *     neither arm has any data
   */
  GateOutcome insufficient(
      long canaryN, long stableN, double estimate, double atMargin, boolean skippedWithoutData) {
    boolean noData = canaryN == 0 && stableN == 0;
    // A guard holds while there is too little data to rule the margin out, but not while there is
    // none at all (a rollout whose app reports no latency is not held by the latency gate).
    boolean holds =
        holdsWithoutData() && !(skippedWithoutData && noData) || guardLogRatio > 0 && !noData;
    return new GateOutcome(
        gate,
        metric,
        Decision.INSUFFICIENT_DATA,
        new GateOutcome.Numbers(
            canaryN,
            stableN,
            estimate,
            rangeLow,
            rangeHigh,
            threshold(atMargin),
            Double.NaN,
            Double.NaN),
        false,
        holds);
  }

  GateOutcome decide(long canaryN, long stableN, double estimate, double centre, double variance) {
    return decide(canaryN, stableN, estimate, centre, variance, margin, Relative.NONE);
  }

  /**
   * A margin that follows the baseline ({@code max(floor, share * baseline)}) and what the power
   * rule needs under the alternative; {@link #NONE} for a fixed margin.
   *
   * @param centre the centre of {@code canary - (1 + share) * baseline}: the canary is within a
   *     relative margin exactly when this is below 0 (above, for a lower-is-worse gate)
   * @param variance its variance, {@code V_c + (1 + share)^2 V_b}: the baseline enters the margin
   *     as well as the difference, so its noise counts (1 + share)^2 times, not once
   * @param powerVariance the variance of the difference when the canary is worse by exactly the
   *     margin (a rate's variance grows with the rate), for the minimum-power rule
   * @param marginVariance the variance of the margin itself ({@code share^2 V_b} while the relative
   *     part binds, else 0): the power rule counts it, so a baseline rate that is high by chance
   *     does not release the hold early
   */
  record Relative(double centre, double variance, double powerVariance, double marginVariance) {
    static final Relative NONE = new Relative(Double.NaN, Double.NaN, Double.NaN, 0);

    boolean present() {
      return variance > 0;
    }
  }

  /** The radius of the bound at variance {@code variance}, both boundaries where configured. */
  double radius(double variance, double atMargin) {
    double tau = fixedTau > 0 ? fixedTau : tauPerMargin * atMargin;
    double radius = OneSidedNormalMixture.radius(variance, tau, boundAlpha);
    if (grossTau > 0) {
      radius = Math.min(radius, OneSidedNormalMixture.radius(variance, grossTau, boundAlpha));
    }
    return radius;
  }

  /**
   * @param estimate the reported point estimate
   * @param centre where the bound is centred (equal to the estimate except for adjusted rates)
   * @param variance variance of the centre
   * @param atMargin this look's margin (a relative margin at the baseline's rate)
   * @param relative the relative-margin test and the power rule's variances, or {@link
   *     Relative#NONE}
   */
  GateOutcome decide(
      long canaryN,
      long stableN,
      double estimate,
      double centre,
      double variance,
      double atMargin,
      Relative relative) {
    double radius = radius(variance, atMargin);
    double lower = Math.max(rangeLow, centre - radius);
    double upper = Math.min(rangeHigh, centre + radius);
    boolean regression = higherIsWorse ? lower > minimumEffect : upper < -minimumEffect;
    boolean nonInferior;
    if (relative.present()) {
      // Within max(floor, share * baseline) iff within the floor or within the relative margin.
      double relRadius = radius(relative.variance(), atMargin);
      nonInferior =
          higherIsWorse
              ? upper < margin || relative.centre() + relRadius < 0
              : lower > -margin || relative.centre() - relRadius > 0;
    } else {
      nonInferior = higherIsWorse ? upper < atMargin : lower > -atMargin;
    }
    Decision decision =
        regression
            ? Decision.REGRESSION
            : nonInferior ? Decision.NON_INFERIOR : Decision.INCONCLUSIVE;
    double sd = Math.sqrt(variance);
    boolean holds;
    if (regression) {
      holds = true;
    } else if (mode == GateMode.NON_INFERIORITY) {
      holds = !nonInferior;
    } else if (minimumPower > 0 && !nonInferior) {
      double powerVariance =
          relative.powerVariance() > variance ? relative.powerVariance() : variance;
      holds = !powered(atMargin, powerVariance, relative.marginVariance());
    } else {
      holds = false;
    }
    double guard = Double.NaN;
    if (guardLogRatio > 0 && !regression && !nonInferior) {
      double limit = guardLimit(variance, atMargin);
      boolean ruledOut = higherIsWorse ? centre <= limit : centre >= -limit;
      if (!ruledOut) {
        holds = true;
        guard = higherIsWorse ? limit : -limit;
      }
    }
    double mde = minimumEffect + radius + Z_80 * sd;
    return new GateOutcome(
        gate,
        metric,
        decision,
        new GateOutcome.Numbers(
            canaryN, stableN, estimate, lower, upper, threshold(atMargin), mde, guard),
        false,
        holds);
  }

  /**
   * Whether a harm of the margin's size would be detected with {@link #minimumPower()}: {@code
   * margin >= minimumEffect + radius(V) + z_power sqrt(V + marginVariance)}, V the variance of the
   * difference under that harm. The planner uses the same rule.
   */
  boolean powered(double atMargin, double powerVariance, double marginVariance) {
    return atMargin
        >= minimumEffect
            + radius(powerVariance, atMargin)
            + zPower * Math.sqrt(powerVariance + marginVariance);
  }
}
