package dev.promptcanary.activities.stats;

import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.domain.LatencyGate;
import java.util.Locale;

/**
 * Latency: never a mean test on raw, heavy-tailed latency. The gate compares the share of requests
 * slower than the baseline's quantile (1{latency > q_b}, a bounded variable) between the arms. If
 * the canary's p95 moves up, well over 5% of its requests land above the baseline p95, even when
 * its median is unchanged. The baseline's share carries the estimation noise of q_b itself (its
 * binomial variance is the asymptotic variance of an empirical quantile's coverage).
 */
final class LatencyCheck implements GateCheck {
  private final Comparison comparison;
  private final double quantile;
  private final int minimumSamples;

  LatencyCheck(LatencyGate gate, double alpha, int minimumSamples) {
    double tau = gate.tau() > 0 ? gate.tau() : OneSidedNormalMixture.tunedTau(alpha, gate.margin());
    this.comparison =
        new Comparison(
            GateKind.LATENCY, true, alpha, tau, gate.margin(), gate.minimumEffect(), -1, 1);
    this.quantile = gate.quantile();
    this.minimumSamples = minimumSamples;
  }

  @Override
  public GateKind kind() {
    return GateKind.LATENCY;
  }

  @Override
  public GateOutcome evaluate(AnalysisInput input) {
    LatencyCut cut = input.latencyAt(quantile);
    if (cut == null) {
      return comparison.insufficient(0, 0, 0);
    }
    UnitSums canaryUnits = cut.canaryAbove();
    UnitSums baselineUnits = cut.baselineAbove();
    Proportion canary = new Proportion(Math.round(canaryUnits.n()), Math.round(canaryUnits.s()));
    Proportion baseline = new Proportion(Math.round(baselineUnits.n()), Math.round(baselineUnits.s()));
    double estimate = canary.rate() - baseline.rate();
    if (!Samples.enough(canaryUnits, baselineUnits, minimumSamples)) {
      return comparison.insufficient(canary.trials(), baseline.trials(), estimate);
    }
    return comparison.decide(
        canary.trials(),
        baseline.trials(),
        estimate,
        canary.adjustedRate() - baseline.adjustedRate(),
        RateCheck.variance(canary, canaryUnits, baselineUnits)
            + RateCheck.variance(baseline, baselineUnits, canaryUnits));
  }

  @Override
  public String reason(GateOutcome outcome) {
    String label =
        String.format(
            Locale.ROOT, "latency (share above baseline p%.0f, canary - baseline)", 100 * quantile);
    if (outcome.decision() == Decision.INSUFFICIENT_DATA) {
      return Reasons.insufficient("latency", outcome, minimumSamples);
    }
    return Reasons.comparison(label, outcome, comparison, Reasons::num);
  }
}
