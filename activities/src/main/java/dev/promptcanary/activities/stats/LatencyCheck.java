package dev.promptcanary.activities.stats;

import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.domain.LatencyGate;

/**
 * Latency at one quantile q: never a mean test on raw, heavy-tailed latency. The gate compares the
 * share of requests slower than the baseline's q (1{latency > cut}, a bounded variable) between the
 * arms. If the canary's p95 moves up, well over 5% of its requests land above the baseline p95,
 * even when its median is unchanged.
 *
 * <p>The cut is frozen for the stage ({@link LatencyCut}), so each arm's exceedance is a plain
 * per-unit proportion of a fixed event and its variance is the delta-method one over units (with
 * the Agresti-Caffo floor), whatever the two arms' latency densities at the cut: no assumption that
 * they are equal, which a cut re-estimated at every look would need (Bahadur) and which fails when
 * the canary's distribution changes shape.
 *
 * <p>In harm detection with a {@code promotionConfidence} (the default, 0.9) the quantile also
 * holds the promotion until a rise of its margin is ruled out by an always-valid bound at that
 * confidence ({@link Comparison}): a regression that has not yet shown when quality clears is then
 * held, not promoted, until it does.
 */
final class LatencyCheck extends ComparisonCheck {
  private final double quantile;

  /**
   * @param index which of the gate's quantiles
   * @param alpha this quantile's share: the gate's alpha over its number of quantiles
   */
  LatencyCheck(LatencyGate gate, int index, double alpha, int minimumSamples) {
    super(comparisonAt(gate, index, alpha), minimumSamples);
    this.quantile = gate.quantiles().get(index);
  }

  private static Comparison comparisonAt(LatencyGate gate, int index, double alpha) {
    return new Comparison(
        GateKind.LATENCY,
        LatencyGate.label(gate.quantiles().get(index)),
        true,
        alpha,
        gate.tau(),
        gate.margins().get(index),
        gate.minimumEffect(),
        Comparison.Range.RATE_DIFFERENCE,
        gate.mode(),
        gate.minimumPower(),
        gate.promotionConfidence());
  }

  @Override
  public GateOutcome evaluate(AnalysisInput input) {
    LatencyCut cut = input.latencyAt(quantile);
    if (cut == null) {
      return comparison.insufficient(0, 0, 0);
    }
    UnitSums canaryUnits = cut.canaryAbove();
    UnitSums stableUnits = cut.stableAbove();
    Proportion canary = new Proportion(Math.round(canaryUnits.n()), Math.round(canaryUnits.s()));
    Proportion stable = new Proportion(Math.round(stableUnits.n()), Math.round(stableUnits.s()));
    double estimate = canary.rate() - stable.rate();
    if (!Samples.enough(canaryUnits, stableUnits, minimumSamples)) {
      return comparison.insufficient(canary.trials(), stable.trials(), estimate);
    }
    return comparison.decide(
        canary.trials(),
        stable.trials(),
        estimate,
        canary.adjustedRate() - stable.adjustedRate(),
        RateCheck.variance(canary, canaryUnits, stableUnits)
            + RateCheck.variance(stable, stableUnits, canaryUnits));
  }

  @Override
  public String reason(GateOutcome outcome) {
    String name = comparison.metric();
    if (outcome.decision() == Decision.INSUFFICIENT_DATA) {
      return Reasons.insufficient("latency " + name, outcome, minimumSamples);
    }
    return Reasons.comparison(
        "latency " + name + " (share above the stable " + name + ", canary - stable)",
        outcome,
        comparison,
        Reasons::num);
  }
}
