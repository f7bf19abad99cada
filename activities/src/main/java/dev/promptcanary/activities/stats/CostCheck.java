package dev.promptcanary.activities.stats;

import dev.promptcanary.workflows.domain.CostGate;
import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;

/**
 * Cost per request: always-valid bound on mean(canary) / mean(baseline) - 1, with the delta-method
 * variance V = V_c / m_b^2 + (m_c^2 / m_b^4) V_b, V_c and V_b the arms' per-unit variances of their
 * means. A relative tolerance because what matters is "20% dearer", whatever the currency or token
 * price.
 */
final class CostCheck extends ComparisonCheck {
  CostCheck(CostGate gate, double alpha, int minimumSamples) {
    super(
        new Comparison(
            GateKind.COST, true, alpha, Comparison.Range.RELATIVE_CHANGE, gate.settings()),
        minimumSamples);
  }

  @Override
  public GateOutcome evaluate(AnalysisInput input) {
    UnitSums canary = input.canary().cost();
    UnitSums stable = input.stable().cost();
    double mb = stable.mean();
    double mc = canary.mean();
    long nc = (long) canary.n();
    long nb = (long) stable.n();
    if (!Samples.enough(canary, stable, minimumSamples) || !(mb > 0)) {
      return comparison.insufficient(nc, nb, mb > 0 ? mc / mb - 1 : 0);
    }
    double estimate = mc / mb - 1;
    double variance =
        QualityCheck.varianceOfMean(canary, stable, mb) / (mb * mb)
            + (mc * mc) / (mb * mb * mb * mb) * QualityCheck.varianceOfMean(stable, canary, mb);
    return comparison.decide(nc, nb, estimate, estimate, variance);
  }

  @Override
  public String reason(GateOutcome outcome) {
    if (outcome.decision() == Decision.INSUFFICIENT_DATA) {
      return Reasons.insufficient("cost", outcome, minimumSamples)
          + " (and a positive stable mean)";
    }
    return Reasons.comparison("cost (canary / stable - 1)", outcome, comparison, Reasons::percent);
  }
}
