package dev.promptcanary.activities.stats;

import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.domain.MetricGate;
import java.util.function.Function;

/**
 * The shape {@link MeanCheck} and {@link RateCheck} share: one per-unit metric read from both arms,
 * compared by a {@link Comparison} whose margin may be relative to the baseline's level, and, as a
 * guardrail of a custom metric, skipped while there is no data (a stage without such data is not a
 * reason to wait). A custom metric's comparison is built the same way for both.
 */
abstract class ArmDifferenceCheck implements GateCheck {
  final GateKind kind;
  final String label;
  final Function<ArmSummary, UnitSums> metric;
  final double relativeMargin;
  final boolean skipWithoutData;
  final int minimumSamples;

  ArmDifferenceCheck(
      GateKind kind,
      String label,
      Function<ArmSummary, UnitSums> metric,
      double relativeMargin,
      boolean skipWithoutData,
      int minimumSamples) {
    this.kind = kind;
    this.label = label;
    this.metric = metric;
    this.relativeMargin = relativeMargin;
    this.skipWithoutData = skipWithoutData;
    this.minimumSamples = minimumSamples;
  }

  /** A custom metric's gate, with its own label: its value per unit, margins and role. */
  ArmDifferenceCheck(MetricGate gate, String label, int minimumSamples) {
    this(
        GateKind.METRIC,
        label,
        arm -> arm.metric(gate.name()),
        gate.relativeMargin(),
        gate.role() == MetricGate.Role.GUARDRAIL,
        minimumSamples);
  }

  /** A custom metric's comparison: its direction, margin, mode and power, on {@code range}. */
  static Comparison comparisonFor(MetricGate gate, double alpha, Comparison.Range range) {
    return new Comparison(
        GateKind.METRIC,
        gate.name(),
        gate.higherIsWorse(),
        alpha,
        0,
        gate.margin(),
        gate.minimumEffect(),
        range,
        gate.mode(),
        gate.minimumPower());
  }

  /** The margin of this look: the comparison's own, or the relative one if that is larger. */
  double margin(Comparison comparison, double stableLevel) {
    return Math.max(comparison.margin(), relativeMargin * stableLevel);
  }

  @Override
  public GateKind kind() {
    return kind;
  }
}
