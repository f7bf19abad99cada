package dev.promptcanary.activities.stats;

import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.domain.RateGate;
import java.util.function.Function;

/**
 * Error and safety-flag rates: always-valid bound on rate(canary) - rate(baseline), centred on the
 * Agresti-Caffo adjusted rates so that an event seen 0 times early on cannot produce a zero
 * variance, and, when configured, a second bound on the canary's own rate against an absolute
 * ceiling. With a ceiling the gate's alpha is split in half between the two bounds.
 */
final class RateCheck implements GateCheck {
  private final GateKind kind;
  private final String label;
  private final RateGate gate;
  private final Function<ArmSummary, UnitSums> metric;
  private final Comparison difference;
  private final Comparison ceiling;
  private final int minimumSamples;

  RateCheck(
      GateKind kind,
      String label,
      RateGate gate,
      Function<ArmSummary, UnitSums> metric,
      double alpha,
      int minimumSamples) {
    this.kind = kind;
    this.label = label;
    this.gate = gate;
    this.metric = metric;
    this.minimumSamples = minimumSamples;
    double testAlpha = gate.hasCeiling() ? alpha / 2 : alpha;
    double tau =
        gate.tau() > 0 ? gate.tau() : OneSidedNormalMixture.tunedTau(testAlpha, gate.margin());
    this.difference =
        new Comparison(kind, true, testAlpha, tau, gate.margin(), gate.minimumEffect(), -1, 1);
    // The ceiling is tested as "canary rate - ceiling": harmful above 0, fine below 0.
    this.ceiling =
        gate.hasCeiling() ? new Comparison(kind, true, testAlpha, tau, 0, 0, -1, 1) : null;
  }

  @Override
  public GateKind kind() {
    return kind;
  }

  @Override
  public GateOutcome evaluate(AnalysisInput input) {
    UnitSums canaryUnits = metric.apply(input.canary());
    UnitSums baselineUnits = metric.apply(input.baseline());
    Proportion canary = counts(canaryUnits);
    Proportion baseline = counts(baselineUnits);
    double estimate = canary.rate() - baseline.rate();
    if (!Samples.enough(canaryUnits, baselineUnits, minimumSamples)) {
      return difference.insufficient(canary.trials(), baseline.trials(), estimate);
    }
    GateOutcome diff =
        difference.decide(
            canary.trials(),
            baseline.trials(),
            estimate,
            canary.adjustedRate() - baseline.adjustedRate(),
            variance(canary, canaryUnits, baselineUnits)
                + variance(baseline, baselineUnits, canaryUnits));
    if (ceiling == null || diff.decision() == Decision.REGRESSION) {
      return diff;
    }
    GateOutcome own =
        ceiling.decide(
            canary.trials(),
            baseline.trials(),
            canary.rate() - gate.ceiling(),
            canary.adjustedRate() - gate.ceiling(),
            variance(canary, canaryUnits, baselineUnits));
    if (own.decision() == Decision.REGRESSION) {
      return new GateOutcome(
          kind,
          Decision.REGRESSION,
          diff.canaryN(),
          diff.baselineN(),
          diff.estimate(),
          diff.lower(),
          diff.upper(),
          diff.threshold(),
          true);
    }
    if (diff.decision() == Decision.NON_INFERIOR && own.decision() != Decision.NON_INFERIOR) {
      return new GateOutcome(
          kind,
          Decision.INCONCLUSIVE,
          diff.canaryN(),
          diff.baselineN(),
          diff.estimate(),
          diff.lower(),
          diff.upper(),
          diff.threshold(),
          false);
    }
    return diff;
  }

  private static Proportion counts(UnitSums units) {
    return new Proportion(Math.round(units.n()), Math.round(units.s()));
  }

  /**
   * The larger of the Agresti-Caffo binomial variance (never zero, even before the first event)
   * and the delta-method variance over units (which carries the clustering of events within a
   * unit), pooled with the other arm's units when that is larger ({@link
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
      return text + "; canary rate significantly above the ceiling " + Reasons.num(gate.ceiling());
    }
    if (ceiling != null && outcome.decision() == Decision.INCONCLUSIVE) {
      return text + "; canary rate not yet shown below the ceiling " + Reasons.num(gate.ceiling());
    }
    return text;
  }
}
