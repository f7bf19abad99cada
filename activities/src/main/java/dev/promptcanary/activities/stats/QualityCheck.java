package dev.promptcanary.activities.stats;

import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.domain.QualityGate;

/**
 * Judge scores: always-valid bound on mean(canary) - mean(baseline) with V = s_c^2/n_c + s_b^2/n_b
 * (Welch), the normal approximation the mixture boundary assumes.
 */
final class QualityCheck implements GateCheck {
  private final Comparison comparison;
  private final int minimumSamples;

  QualityCheck(QualityGate gate, double alpha, int minimumSamples) {
    double tau = gate.tau() > 0 ? gate.tau() : OneSidedNormalMixture.tunedTau(alpha, gate.margin());
    this.comparison =
        new Comparison(
            GateKind.QUALITY, false, alpha, tau, gate.margin(), gate.minimumEffect(), -1, 1);
    this.minimumSamples = minimumSamples;
  }

  @Override
  public GateKind kind() {
    return GateKind.QUALITY;
  }

  @Override
  public GateOutcome evaluate(AnalysisInput input) {
    Moments canary = input.canary().quality();
    Moments baseline = input.baseline().quality();
    double estimate = canary.mean() - baseline.mean();
    if (canary.count() < minimumSamples || baseline.count() < minimumSamples) {
      return comparison.insufficient(canary.count(), baseline.count(), estimate);
    }
    double variance = varianceOfMean(canary, 1) + varianceOfMean(baseline, 1);
    return comparison.decide(canary.count(), baseline.count(), estimate, estimate, variance);
  }

  /**
   * s^2 / n, with s floored at scale / 2n: a judge that gives every answer the same score would
   * otherwise produce a zero variance and a zero-width bound after a handful of samples.
   */
  static double varianceOfMean(Moments m, double scale) {
    double n = m.count();
    double floor = scale / (2 * n);
    return Math.max(m.variance(), floor * floor) / n;
  }

  @Override
  public String reason(GateOutcome outcome) {
    if (outcome.decision() == Decision.INSUFFICIENT_DATA) {
      return Reasons.insufficient("quality", outcome, minimumSamples);
    }
    return Reasons.comparison(
        "quality (canary - baseline score)", outcome, comparison, Reasons::num);
  }
}
