package dev.promptcanary.activities.stats;

import dev.promptcanary.workflows.domain.GatesConfig;
import java.util.List;
import java.util.Objects;

/**
 * One look at a running canary: the gates to apply and the data so far, all of it sufficient
 * statistics so the verdict activity can compute it with SQL aggregates.
 *
 * @param gates what "good enough" means for this rollout
 * @param canaryWeightBasisPoints the configured canary share of traffic, 0..10000
 * @param canary canary arm summary
 * @param stable baseline (stable version) arm summary
 * @param latency latency against the stage's frozen cuts, one per quantile the gate tests
 */
public record AnalysisInput(
    GatesConfig gates,
    int canaryWeightBasisPoints,
    ArmSummary canary,
    ArmSummary stable,
    List<LatencyCut> latency) {

  public AnalysisInput {
    Objects.requireNonNull(gates, "gates");
    if (canaryWeightBasisPoints < 0 || canaryWeightBasisPoints > 10_000) {
      throw new IllegalArgumentException(
          "canaryWeightBasisPoints must be in 0..10000, got " + canaryWeightBasisPoints);
    }
    Objects.requireNonNull(canary, "canary");
    Objects.requireNonNull(stable, "stable");
    latency = List.copyOf(Objects.requireNonNull(latency, "latency"));
  }

  /** One latency cut given as per-request exceedance counts (each request its own unit). */
  public AnalysisInput(
      GatesConfig gates,
      int canaryWeightBasisPoints,
      ArmSummary canary,
      ArmSummary stable,
      LatencyExceedance latency) {
    this(gates, canaryWeightBasisPoints, canary, stable, List.of(LatencyCut.of(latency)));
  }

  /** The cut at {@code quantile}, or null when the stage has none yet. */
  public LatencyCut latencyAt(double quantile) {
    for (LatencyCut cut : latency) {
      if (Math.abs(cut.quantile() - quantile) < 1e-9) {
        return cut;
      }
    }
    return null;
  }
}
