package dev.promptcanary.activities.stats;

import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.FeedbackGate;
import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.domain.MetricGate;

/**
 * A difference of per-request means over units (user feedback, a custom mean metric), like the
 * quality gate but in either direction, in any mode, with an optional relative margin, and skipped
 * (never holding a promotion) while neither arm has any value, when it is a guardrail: a stage
 * without feedback data is not a reason to wait.
 */
final class MeanCheck extends ArmDifferenceCheck {
  private final Comparison comparison;
  private final double fixedScale;

  /** User feedback, -1..1 per request. */
  MeanCheck(FeedbackGate gate, double alpha, int minimumSamples) {
    super(
        GateKind.FEEDBACK,
        "feedback (canary - stable mean)",
        ArmSummary::feedback,
        0,
        true,
        minimumSamples);
    this.comparison =
        new Comparison(
            GateKind.FEEDBACK, false, alpha, Comparison.Range.FEEDBACK_DIFFERENCE, gate.settings());
    this.fixedScale = 2;
  }

  /** A custom mean metric. */
  MeanCheck(MetricGate gate, double alpha, int minimumSamples) {
    super(gate, gate.name() + " (canary - stable mean)", minimumSamples);
    this.comparison = comparisonFor(gate, alpha, Comparison.Range.UNBOUNDED);
    this.fixedScale = 0;
  }

  @Override
  public GateOutcome evaluate(AnalysisInput input) {
    UnitSums canary = metric.apply(input.canary());
    UnitSums stable = metric.apply(input.stable());
    double estimate = canary.mean() - stable.mean();
    double margin = margin(comparison, Math.abs(stable.mean()));
    long nc = (long) canary.n();
    long nb = (long) stable.n();
    if (!Samples.enough(canary, stable, minimumSamples)) {
      return comparison.insufficient(nc, nb, estimate, margin, skipWithoutData);
    }
    // The floor on s (see QualityCheck): half the value range, or of the margin for an unbounded
    // metric, over 2n.
    double scale = fixedScale > 0 ? fixedScale : margin;
    double variance =
        QualityCheck.varianceOfMean(canary, stable, scale)
            + QualityCheck.varianceOfMean(stable, canary, scale);
    return comparison.decide(
        nc, nb, estimate, estimate, variance, margin, Comparison.Relative.NONE);
  }

  @Override
  public String reason(GateOutcome outcome) {
    if (outcome.decision() == Decision.INSUFFICIENT_DATA) {
      String name = kind == GateKind.FEEDBACK ? "feedback" : comparison.metric();
      boolean none = outcome.numbers().canaryN() == 0 && outcome.numbers().stableN() == 0;
      return none && !outcome.holds()
          ? name + ": no data in this stage yet, skipped (does not hold the promotion)"
          : Reasons.insufficient(name, outcome, minimumSamples);
    }
    return Reasons.comparison(label, outcome, comparison, Reasons::num);
  }
}
