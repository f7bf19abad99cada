package dev.promptcanary.activities.stats;

import java.util.Objects;

/**
 * Everything the engine needs about one arm (canary or baseline), each field one SQL aggregate.
 *
 * @param observations requests routed to this arm ({@code count(*)} over observations), used by the
 *     sample ratio check
 * @param quality judge scores in [0, 1] ({@code count, sum(score), sum(score * score)} over
 *     judgements)
 * @param errors requests and how many errored
 * @param safetyFlags responses and how many carried a safety flag
 * @param cost cost per request ({@code count, sum(cost), sum(cost * cost)})
 */
public record ArmSummary(
    long observations, Moments quality, Proportion errors, Proportion safetyFlags, Moments cost) {

  public ArmSummary {
    if (observations < 0) {
      throw new IllegalArgumentException("observations must be >= 0");
    }
    Objects.requireNonNull(quality, "quality");
    Objects.requireNonNull(errors, "errors");
    Objects.requireNonNull(safetyFlags, "safetyFlags");
    Objects.requireNonNull(cost, "cost");
  }

  public static final ArmSummary EMPTY =
      new ArmSummary(0, Moments.EMPTY, Proportion.EMPTY, Proportion.EMPTY, Moments.EMPTY);
}
