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
    this.difference =
        new Comparison(
            kind,
            null,
            true,
            testAlpha,
            gate.tau(),
            gate.margin(),
            gate.minimumEffect(),
            Comparison.Range.RATE_DIFFERENCE,
            gate.mode(),
            gate.minimumPower());
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

  @Override
  public GateOutcome evaluate(AnalysisInput input) {
    UnitSums canaryUnits = metric.apply(input.canary());
    UnitSums baselineUnits = metric.apply(input.baseline());
    Proportion canary = counts(canaryUnits);
    Proportion baseline = counts(baselineUnits);
    double estimate = canary.rate() - baseline.rate();
    double margin = margin(difference, baseline.rate());
    if (!Samples.enough(canaryUnits, baselineUnits, minimumSamples)) {
      return difference.insufficient(
          canary.trials(), baseline.trials(), estimate, margin, skipWithoutData);
    }
    GateOutcome diff =
        difference.decide(
            canary.trials(),
            baseline.trials(),
            estimate,
            canary.adjustedRate() - baseline.adjustedRate(),
            variance(canary, canaryUnits, baselineUnits)
                + variance(baseline, baselineUnits, canaryUnits),
            margin);
    if (ceiling == null || diff.decision() == Decision.REGRESSION) {
      return diff;
    }
    GateOutcome own =
        ceiling.decide(
            canary.trials(),
            baseline.trials(),
            canary.rate() - ceilingRate,
            canary.adjustedRate() - ceilingRate,
            variance(canary, canaryUnits, baselineUnits));
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
        Reasons.comparison(label + " (canary - baseline rate)", outcome, difference, Reasons::num);
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
