package dev.promptcanary.activities.routing;

import java.util.Objects;

/**
 * A fenced change to a prompt's routing. It applies only while the row is owned by {@code
 * expectedOwner} (null: no rollout) and its sequence is below {@code sequence}, so a retried or
 * delayed write can never undo a newer one. {@code newOwner} hands the row to a rollout (claim) or
 * back to nobody (release).
 */
public record RoutingWrite(
    String prompt,
    String expectedOwner,
    String newOwner,
    long sequence,
    int stableVersion,
    Integer canaryVersion,
    int canaryWeightBp) {

  public static final int MAX_WEIGHT_BP = 10_000;

  public RoutingWrite {
    if (canaryWeightBp < 0 || canaryWeightBp > MAX_WEIGHT_BP) {
      throw new IllegalArgumentException(
          "canaryWeightBp must be within 0..10000, was " + canaryWeightBp);
    }
    if (canaryVersion == null && canaryWeightBp != 0) {
      throw new IllegalArgumentException(
          "canaryWeightBp must be 0 when there is no canary version");
    }
    if (canaryVersion != null && canaryVersion == stableVersion) {
      throw new IllegalArgumentException("canaryVersion must differ from stableVersion");
    }
  }

  /** True when {@code state} already is what this write asks for. */
  public boolean sameTargetAs(RoutingState state) {
    return state.stableVersion() == stableVersion
        && Objects.equals(state.canaryVersion(), canaryVersion)
        && state.canaryWeightBp() == canaryWeightBp
        && Objects.equals(state.rolloutId(), newOwner);
  }
}
