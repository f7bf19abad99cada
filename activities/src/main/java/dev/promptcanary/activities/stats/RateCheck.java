package dev.promptcanary.activities.stats;

import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.domain.GateMode;
import dev.promptcanary.workflows.domain.MetricGate;
import dev.promptcanary.workflows.domain.RateGate;
import java.util.function.Function;

/**
 * Rates (errors, safety flags, a custom proportion metric): always-valid bound on rate(canary) -
 * rate(baseline), centred on the Agresti-Caffo adjusted rates so that an event seen 0 times early
 * on cannot produce a zero variance, and, when configured, a second bound on the canary's own rate
 * against an absolute ceiling. With a ceiling the gate's alpha is split in half between the two
 * bounds. The margin may be relative: {@code max(margin, relativeMargin * baseline rate)}, so a x3
 * rise at a 0.1% base rate is as visible as at 10%.
 */
final class RateCheck extends ArmDifferenceCheck {
  private final Comparison difference;
  private final Comparison ceiling;
  private final double ceilingRate;

  /** Error or safety-flag rate. */
  RateCheck(
      GateKind kind,
      String label,
      RateGate gate,
      Function<ArmSummary, UnitSums> metric,
      double alpha,
      int minimumSamples) {
    super(kind, label, metric, gate.relativeMargin(), false, minimumSamples);
    double testAlpha = gate.hasCeiling() ? alpha / 2 : alpha;
    this.difference = new Comparison(kind, true, testAlpha, Comparison.Range.RATE_DIFFERENCE, gate);
    // The ceiling is tested as "canary rate - ceiling": harmful above 0, fine below 0. Its mixing
    // scale is fixed, tuned to the absolute margin (the ceiling itself is a fixed line).
    double ceilingTau =
        gate.tau() > 0 ? gate.tau() : OneSidedNormalMixture.tunedTau(testAlpha, gate.margin());
    this.ceiling =
        gate.hasCeiling()
            ? new Comparison(
                kind,
                null,
                true,
                testAlpha,
                ceilingTau,
                0,
                0,
                Comparison.Range.UNIT_DIFFERENCE,
                gate.mode(),
                0,
                0)
            : null;
    this.ceilingRate = gate.ceiling();
  }

  /**
   * A custom proportion metric: either direction, no ceiling, skipped without data if a guardrail.
   */
  RateCheck(MetricGate gate, double alpha, int minimumSamples) {
    super(gate, gate.name() + " rate", minimumSamples);
    this.difference = comparisonFor(gate, alpha, Comparison.Range.RATE_DIFFERENCE);
    this.ceiling = null;
    this.ceilingRate = 1;
  }

  /** The test of the difference (the planner mirrors its radius and power rule). */
  Comparison difference() {
    return difference;
  }

  @Override
  public GateOutcome evaluate(AnalysisInput input) {
    UnitSums canaryUnits = metric.apply(input.canary());
    UnitSums stableUnits = metric.apply(input.stable());
    Proportion canary = counts(canaryUnits);
    Proportion stable = counts(stableUnits);
    double estimate = canary.rate() - stable.rate();
    double margin = margin(difference, stable.rate());
    if (!Samples.enough(canaryUnits, stableUnits, minimumSamples)) {
      return difference.insufficient(
          canary.trials(), stable.trials(), estimate, margin, skipWithoutData);
    }
    double canaryVariance = variance(canary, canaryUnits, stableUnits);
    double stableVariance = variance(stable, stableUnits, canaryUnits);
    GateOutcome diff =
        difference.decide(
            canary.trials(),
            stable.trials(),
            estimate,
            canary.adjustedRate() - stable.adjustedRate(),
            canaryVariance + stableVariance,
            margin,
            relative(canary, stable, canaryVariance, stableVariance, margin));
    if (ceiling == null || diff.decision() == Decision.REGRESSION) {
      return diff;
    }
    GateOutcome own =
        ceiling.decide(
            canary.trials(),
            stable.trials(),
            canary.rate() - ceilingRate,
            canary.adjustedRate() - ceilingRate,
            variance(canary, canaryUnits, stableUnits));
    if (own.decision() == Decision.REGRESSION) {
      return diff.with(Decision.REGRESSION, true, true);
    }
    boolean ceilingHolds =
        ceiling.mode() == GateMode.NON_INFERIORITY && own.decision() != Decision.NON_INFERIOR;
    if (diff.decision() == Decision.NON_INFERIOR && ceilingHolds) {
      return diff.with(Decision.INCONCLUSIVE, false, true);
    }
    return diff.with(diff.decision(), false, diff.holds() || ceilingHolds);
  }

  /**
   * The relative-margin test and the power rule's variances. With a relative margin the canary is
   * within it when {@code rate_c - (1 + r) rate_b < 0}: the baseline's rate is in the margin as
   * well as in the difference, so its variance counts {@code (1 + r)^2} times (testing the
   * difference against {@code r * rate_b} as if that were fixed let a x3 canary at a 0.1% base pass
   * as "within +200%" whenever its baseline ran high by chance). The power rule takes the canary's
   * variance at the rate the margin's harm would give it ({@code rate_b + margin}; a rate's
   * variance grows with it) and, while the relative part sets the margin, the margin's own variance
   * {@code r^2 V_b}.
   */
  private Comparison.Relative relative(
      Proportion canary,
      Proportion stable,
      double canaryVariance,
      double stableVariance,
      double margin) {
    double pc = canary.adjustedRate();
    double pb = stable.adjustedRate();
    double harmed =
        difference.higherIsWorse() ? Math.min(1, pb + margin) : Math.max(0, pb - margin);
    double scale = harmed * (1 - harmed) / (pc * (1 - pc)); // pc is in (0, 1): adjusted
    double powerVariance = canaryVariance * Math.max(1, scale) + stableVariance;
    if (!(relativeMargin > 0)) {
      return new Comparison.Relative(Double.NaN, Double.NaN, powerVariance, 0);
    }
    // A lower-is-worse proportion metric: within the margin when rate_c - (1 - r) rate_b > 0.
    double share = difference.higherIsWorse() ? 1 + relativeMargin : 1 - relativeMargin;
    boolean relativeBinds = relativeMargin * stable.rate() > difference.margin();
    return new Comparison.Relative(
        pc - share * pb,
        canaryVariance + share * share * stableVariance,
        powerVariance,
        relativeBinds ? relativeMargin * relativeMargin * stableVariance : 0);
  }

  private static Proportion counts(UnitSums units) {
    return new Proportion(Math.round(units.n()), Math.round(units.s()));
  }

  /**
   * The larger of the Agresti-Caffo binomial variance (never zero, even before the first event) and
   * the delta-method variance over units (which carries the clustering of events within a unit),
   * pooled with the other arm's units when that is larger ({@link
   * UnitSums#varianceOfMeanPooledWith}).
   */
  static double variance(Proportion counts, UnitSums units, UnitSums otherArm) {
    return Math.max(counts.adjustedVariance(), units.varianceOfMeanPooledWith(otherArm));
  }

  @Override
  public String reason(GateOutcome outcome) {
    if (outcome.decision() == Decision.INSUFFICIENT_DATA) {
      return Reasons.insufficient(label, outcome, minimumSamples);
    }
    String text =
        Reasons.comparison(label + " (canary - stable rate)", outcome, difference, Reasons::num);
    if (outcome.ceilingBreached()) {
      return text + "; canary rate significantly above the ceiling " + Reasons.num(ceilingRate);
    }
    if (ceiling != null
        && outcome.holds()
        && ceiling.mode() == GateMode.NON_INFERIORITY
        && outcome.decision() == Decision.INCONCLUSIVE) {
      return text + "; canary rate not yet shown below the ceiling " + Reasons.num(ceilingRate);
    }
    return text;
  }
}
