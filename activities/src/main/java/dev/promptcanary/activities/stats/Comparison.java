package dev.promptcanary.activities.stats;

import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;

/**
 * The decision rule shared by the comparison gates: one-sided always-valid bounds around the
 * estimate, a regression when the whole bound is on the harmful side of the minimum effect, and
 * non-inferiority when the bound clears the margin. A regression wins if both hold, so a verdict
 * can never move from REGRESSION to NON_INFERIOR as the bound tightens around the same estimate.
 *
 * @param gate which gate
 * @param higherIsWorse true for error rate, latency, cost; false for quality
 * @param alpha one-sided error rate of each bound (the gate's share of the family-wise alpha)
 * @param tau mixing scale of the boundary
 * @param margin non-inferiority margin (>= 0, in the gate's units, harmful direction)
 * @param minimumEffect smallest harm that is rolled back (>= 0)
 * @param rangeLow smallest value the estimated quantity can take (bounds are clipped to it)
 * @param rangeHigh largest value the estimated quantity can take
 */
record Comparison(
    GateKind gate,
    boolean higherIsWorse,
    double alpha,
    double tau,
    double margin,
    double minimumEffect,
    double rangeLow,
    double rangeHigh) {

  /** The non-inferiority threshold in the estimate's own sign convention. */
  double threshold() {
    return higherIsWorse ? margin : -margin;
  }

  /** The roll-back threshold in the estimate's own sign convention. */
  double rollbackThreshold() {
    return higherIsWorse ? minimumEffect : -minimumEffect;
  }

  GateOutcome insufficient(long canaryN, long baselineN, double estimate) {
    return new GateOutcome(
        gate,
        Decision.INSUFFICIENT_DATA,
        canaryN,
        baselineN,
        estimate,
        rangeLow,
        rangeHigh,
        threshold(),
        false);
  }

  /**
   * @param estimate the reported point estimate
   * @param centre where the bound is centred (equal to the estimate except for adjusted rates)
   * @param variance variance of the centre
   */
  GateOutcome decide(
      long canaryN, long baselineN, double estimate, double centre, double variance) {
    double radius = OneSidedNormalMixture.radius(variance, tau, alpha);
    double lower = Math.max(rangeLow, centre - radius);
    double upper = Math.min(rangeHigh, centre + radius);
    boolean regression = higherIsWorse ? lower > minimumEffect : upper < -minimumEffect;
    boolean nonInferior = higherIsWorse ? upper < margin : lower > -margin;
    Decision decision =
        regression
            ? Decision.REGRESSION
            : nonInferior ? Decision.NON_INFERIOR : Decision.INCONCLUSIVE;
    return new GateOutcome(
        gate, decision, canaryN, baselineN, estimate, lower, upper, threshold(), false);
  }
}
