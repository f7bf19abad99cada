package dev.promptcanary.activities.stats;

import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.FeedbackGate;
import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.domain.MetricGate;
import java.util.function.Function;

/**
 * A difference of per-request means over units (user feedback, a custom mean metric), like the
 * quality gate but in either direction, in any mode, with an optional relative margin, and skipped
 * (never holding a promotion) while neither arm has any value, when it is a guardrail: a stage
 * without feedback data is not a reason to wait.
 */
final class MeanCheck implements GateCheck {
  private final GateKind kind;
  private final String label;
  private final Function<ArmSummary, UnitSums> metric;
  private final Comparison comparison;
  private final double relativeMargin;
  private final double fixedScale;
  private final boolean skipWithoutData;
  private final int minimumSamples;

  /** User feedback, -1..1 per request. */
  MeanCheck(FeedbackGate gate, double alpha, int minimumSamples) {
    this.kind = GateKind.FEEDBACK;
    this.label = "feedback (canary - baseline mean)";
    this.metric = ArmSummary::feedback;
    this.comparison =
        new Comparison(
            GateKind.FEEDBACK,
            null,
            false,
            alpha,
            gate.tau(),
            gate.margin(),
            gate.minimumEffect(),
            Comparison.Range.FEEDBACK_DIFFERENCE,
            gate.mode(),
            gate.minimumPower());
    this.relativeMargin = 0;
    this.fixedScale = 2;
    this.skipWithoutData = true;
    this.minimumSamples = minimumSamples;
  }

  /** A custom mean metric. */
  MeanCheck(MetricGate gate, double alpha, int minimumSamples) {
    this.kind = GateKind.METRIC;
    this.label = gate.name() + " (canary - baseline mean)";
    String name = gate.name();
    this.metric = arm -> arm.metric(name);
    this.comparison =
        new Comparison(
            GateKind.METRIC,
            name,
            gate.higherIsWorse(),
            alpha,
            0,
            gate.margin(),
            gate.minimumEffect(),
            Comparison.Range.UNBOUNDED,
            gate.mode(),
            gate.minimumPower());
    this.relativeMargin = gate.relativeMargin();
    this.fixedScale = 0;
    this.skipWithoutData = gate.role() == MetricGate.Role.GUARDRAIL;
    this.minimumSamples = minimumSamples;
  }

  @Override
  public GateKind kind() {
    return kind;
  }

  @Override
  public GateOutcome evaluate(AnalysisInput input) {
    UnitSums canary = metric.apply(input.canary());
    UnitSums baseline = metric.apply(input.baseline());
    double estimate = canary.mean() - baseline.mean();
    double margin = Math.max(comparison.margin(), relativeMargin * Math.abs(baseline.mean()));
    long nc = (long) canary.n();
    long nb = (long) baseline.n();
    if (!Samples.enough(canary, baseline, minimumSamples)) {
      return comparison.insufficient(nc, nb, estimate, margin, skipWithoutData);
    }
    // The floor on s (see QualityCheck): half the value range, or of the margin for an unbounded
    // metric, over 2n.
    double scale = fixedScale > 0 ? fixedScale : margin;
    double variance =
        QualityCheck.varianceOfMean(canary, baseline, scale)
            + QualityCheck.varianceOfMean(baseline, canary, scale);
    return comparison.decide(nc, nb, estimate, estimate, variance, margin);
  }

  @Override
  public String reason(GateOutcome outcome) {
    if (outcome.decision() == Decision.INSUFFICIENT_DATA) {
      String name = kind == GateKind.FEEDBACK ? "feedback" : comparison.metric();
      boolean none = outcome.canaryN() == 0 && outcome.baselineN() == 0;
      return none && !outcome.holds()
          ? name + ": no data in this stage yet, skipped (does not hold the promotion)"
          : Reasons.insufficient(name, outcome, minimumSamples);
    }
    return Reasons.comparison(label, outcome, comparison, Reasons::num);
  }
}
