package dev.promptcanary.activities.routing;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import dev.promptcanary.activities.registry.PromptVersion;
import java.nio.charset.StandardCharsets;

/**
 * The in-memory routing of one prompt, with the full content of the versions it serves, so that
 * resolve needs no database round trip.
 */
public final class Route {
  private final RoutingState state;
  private final PromptVersion stable;
  private final PromptVersion canary;
  private final HashFunction unitHash;

  public Route(RoutingState state, PromptVersion stable, PromptVersion canary) {
    this.state = state;
    this.stable = stable;
    this.canary = canary;
    this.unitHash = Hashing.murmur3_32_fixed(Buckets.seed(state.prompt(), salt(state)));
  }

  /**
   * The salt keeps a unit's bucket fixed for the life of one rollout (or one manual canary version)
   * while letting the next rollout draw a fresh canary population.
   */
  public static String salt(RoutingState state) {
    if (state.rolloutId() != null) {
      return state.rolloutId();
    }
    return state.canaryVersion() == null ? "" : "canary-v" + state.canaryVersion();
  }

  /** The salt of this route's unit hash: SDKs place units with it exactly as {@link #bucketOf}. */
  public String salt() {
    return salt(state);
  }

  public RoutingState state() {
    return state;
  }

  public PromptVersion stable() {
    return stable;
  }

  public PromptVersion canary() {
    return canary;
  }

  public int bucketOf(String unit) {
    int hash = unitHash.hashString(unit, StandardCharsets.UTF_8).asInt();
    return (int) (Integer.toUnsignedLong(hash) % Buckets.COUNT);
  }

  /** Whether this route sends any traffic to {@code version}. */
  public boolean serves(int version) {
    return version == stable.version() || (isCanaryLive() && version == canary.version());
  }

  private boolean isCanaryLive() {
    return canary != null && state.canaryWeightBp() > 0;
  }

  public Resolution resolve(String unit, Integer pin) {
    int bucket = bucketOf(unit);
    if (pin != null) {
      if (pin == stable.version()) {
        return resolution(Arm.STABLE, stable, bucket, true, null);
      }
      if (isCanaryLive() && pin == canary.version()) {
        return resolution(Arm.CANARY, canary, bucket, true, null);
      }
    }
    boolean inCanary = isCanaryLive() && bucket < state.canaryWeightBp();
    PromptVersion served = inCanary ? canary : stable;
    String note =
        pin == null
            ? null
            : "pinned version "
                + pin
                + " is no longer served (rolled back or replaced); now serving version "
                + served.version();
    return resolution(inCanary ? Arm.CANARY : Arm.STABLE, served, bucket, false, note);
  }

  private Resolution resolution(
      Arm arm, PromptVersion served, int bucket, boolean pinned, String pinDroppedNote) {
    return new Resolution(
        state.prompt(),
        served.version(),
        arm,
        bucket,
        state.canaryWeightBp(),
        state.rolloutId(),
        pinned,
        pinDroppedNote != null,
        pinDroppedNote,
        served);
  }
}
