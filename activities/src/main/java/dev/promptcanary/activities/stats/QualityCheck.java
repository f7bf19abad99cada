package dev.promptcanary.activities.stats;

import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.domain.GateMode;
import dev.promptcanary.workflows.domain.QualityGate;

/**
 * Judge scores: always-valid bound on mean(canary) - mean(baseline) with V the sum of the arms'
 * delta-method variances over units ({@link UnitSums#varianceOfMean()}), the normal approximation
 * the mixture boundary assumes.
 */
final class QualityCheck extends ComparisonCheck {
  QualityCheck(QualityGate gate, double alpha, int minimumSamples) {
    super(
        new Comparison(
            GateKind.QUALITY,
            null,
            false,
            alpha,
            gate.tau(),
            gate.margin(),
            gate.minimumEffect(),
            Comparison.Range.UNIT_DIFFERENCE,
            GateMode.NON_INFERIORITY,
            0,
            0),
        minimumSamples);
  }

  @Override
  public GateOutcome evaluate(AnalysisInput input) {
    UnitSums canary = input.canary().quality();
    UnitSums stable = input.stable().quality();
    double estimate = canary.mean() - stable.mean();
    long nc = (long) canary.n();
    long nb = (long) stable.n();
    if (!Samples.enough(canary, stable, minimumSamples)) {
      return comparison.insufficient(nc, nb, estimate);
    }
    double variance = varianceOfMean(canary, stable, 1) + varianceOfMean(stable, canary, 1);
    return comparison.decide(nc, nb, estimate, estimate, variance);
  }

  /**
   * s^2 / n, with s floored at scale / 2n: a judge that gives every answer the same score would
   * otherwise produce a zero variance and a zero-width bound after a handful of samples.
   */
  static double varianceOfMean(UnitSums m, UnitSums other, double scale) {
    double n = m.n();
    double floor = scale / (2 * n);
    return Math.max(m.varianceOfMeanPooledWith(other), floor * floor / n);
  }

  @Override
  public String reason(GateOutcome outcome) {
    if (outcome.decision() == Decision.INSUFFICIENT_DATA) {
      return Reasons.insufficient("quality", outcome, minimumSamples);
    }
    return Reasons.comparison("quality (canary - stable score)", outcome, comparison, Reasons::num);
  }
}
