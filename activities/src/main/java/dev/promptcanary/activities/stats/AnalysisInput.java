package dev.promptcanary.activities.stats;

import dev.promptcanary.workflows.domain.GatesConfig;
import java.util.Objects;

/**
 * One look at a running canary: the gates to apply and the data so far, all of it sufficient
 * statistics so the verdict activity can compute it with SQL aggregates.
 *
 * @param gates what "good enough" means for this rollout
 * @param canaryWeightBasisPoints the configured canary share of traffic, 0..10000
 * @param canary canary arm summary
 * @param baseline baseline (stable version) arm summary
 * @param latency latency exceedance over the baseline quantile
 */
public record AnalysisInput(
    GatesConfig gates,
    int canaryWeightBasisPoints,
    ArmSummary canary,
    ArmSummary baseline,
    LatencyExceedance latency) {

  public AnalysisInput {
    Objects.requireNonNull(gates, "gates");
    if (canaryWeightBasisPoints < 0 || canaryWeightBasisPoints > 10_000) {
      throw new IllegalArgumentException(
          "canaryWeightBasisPoints must be in 0..10000, got " + canaryWeightBasisPoints);
    }
    Objects.requireNonNull(canary, "canary");
    Objects.requireNonNull(baseline, "baseline");
    Objects.requireNonNull(latency, "latency");
  }
}
