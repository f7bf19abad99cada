package dev.promptcanary.activities.stats;

import java.util.Map;
import java.util.Objects;

/**
 * Everything the engine needs about one arm (canary or baseline) of one stage, every metric summed
 * per randomisation unit ({@link UnitSums}) so that its variance is taken over units, not requests.
 *
 * @param units units first exposed in the stage and assigned to this arm: what the sample ratio
 *     check counts
 * @param observations requests of those units on this arm
 * @param quality judge scores in [0, 1]: N_u scores, S_u their sum
 * @param errors N_u requests, S_u of them errored
 * @param safetyFlags N_u responses, S_u of them safety-flagged
 * @param cost N_u requests with a cost, S_u their cost
 * @param feedback N_u requests with user feedback (-1, 0, 1), S_u its sum
 * @param metrics the rollout's own outcome metrics by name: N_u values reported, S_u their sum (a
 *     proportion's values are 0 or 1)
 */
public record ArmSummary(
    long units,
    long observations,
    UnitSums quality,
    UnitSums errors,
    UnitSums safetyFlags,
    UnitSums cost,
    UnitSums feedback,
    Map<String, UnitSums> metrics) {

  public static final ArmSummary EMPTY =
      new ArmSummary(
          0,
          0,
          UnitSums.EMPTY,
          UnitSums.EMPTY,
          UnitSums.EMPTY,
          UnitSums.EMPTY,
          UnitSums.EMPTY,
          Map.of());

  public ArmSummary {
    if (units < 0 || observations < 0) {
      throw new IllegalArgumentException("units and observations must be >= 0");
    }
    Objects.requireNonNull(quality, "quality");
    Objects.requireNonNull(errors, "errors");
    Objects.requireNonNull(safetyFlags, "safetyFlags");
    Objects.requireNonNull(cost, "cost");
    feedback = feedback == null ? UnitSums.EMPTY : feedback;
    metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
  }

  /** The sums of the outcome metric {@code name}; empty when none was reported. */
  public UnitSums metric(String name) {
    return metrics.getOrDefault(name, UnitSums.EMPTY);
  }

  /**
   * An arm where every request is its own unit (one-request sessions), from per-request sums: the
   * shape of the engine's input before it analysed units.
   */
  public static ArmSummary iid(
      long observations, Moments quality, Proportion errors, Proportion safetyFlags, Moments cost) {
    return new ArmSummary(
        observations,
        observations,
        UnitSums.iid(quality),
        UnitSums.iid(errors),
        UnitSums.iid(safetyFlags),
        UnitSums.iid(cost),
        UnitSums.EMPTY,
        Map.of());
  }
}
