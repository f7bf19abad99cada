package dev.promptcanary.activities.stats;

import dev.promptcanary.workflows.domain.GateKind;

/**
 * A gate decided by one {@link Comparison} of its own (quality, cost, a latency quantile), from at
 * least {@code minimumSamples} units per arm.
 */
abstract class ComparisonCheck implements GateCheck {
  final Comparison comparison;
  final int minimumSamples;

  ComparisonCheck(Comparison comparison, int minimumSamples) {
    this.comparison = comparison;
    this.minimumSamples = minimumSamples;
  }

  /** The gate's test (the planner mirrors its radius and power rule). */
  Comparison comparison() {
    return comparison;
  }

  @Override
  public GateKind kind() {
    return comparison.gate();
  }
}
