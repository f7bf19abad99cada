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
    LatencyExceedance latency = input.latency();
    if (Math.abs(latency.quantile() - quantile) > 1e-9) {
      throw new IllegalArgumentException(
          "latency summarised at quantile "
              + latency.quantile()
              + " but the gate uses "
              + quantile);
    }
    Proportion canary = latency.canary();
    Proportion baseline = latency.baseline();
    double estimate = canary.rate() - baseline.rate();
    if (canary.trials() < minimumSamples || baseline.trials() < minimumSamples) {
      return comparison.insufficient(canary.trials(), baseline.trials(), estimate);
    }
    return comparison.decide(
        canary.trials(),
        baseline.trials(),
        estimate,
        canary.adjustedRate() - baseline.adjustedRate(),
        canary.adjustedVariance() + baseline.adjustedVariance());
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
