package dev.promptcanary.activities.routing;

import dev.promptcanary.serving.PromptVersion;
import dev.promptcanary.serving.Resolution;
import dev.promptcanary.serving.RoutedPrompt;
import dev.promptcanary.serving.StickySplit;

/**
 * The in-memory routing of one prompt, with the full content of the versions it serves, so that
 * resolve needs no database round trip. The split itself ({@link StickySplit}) is the one the SDKs
 * run locally.
 */
public final class Route {
  private final RoutingState state;
  private final PromptVersion stable;
  private final PromptVersion canary;
  private final StickySplit split;

  public Route(RoutingState state, PromptVersion stable, PromptVersion canary) {
    this.state = state;
    this.stable = stable;
    this.canary = canary;
    this.split =
        new StickySplit(
            state.prompt(),
            salt(state),
            state.stableVersion(),
            state.canaryVersion(),
            state.canaryWeightBp());
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
    return split.bucketOf(unit);
  }

  /** Whether this route sends any traffic to {@code version}. */
  public boolean serves(int version) {
    return split.serves(version);
  }

  public Resolution resolve(String unit, Integer pin) {
    return Resolution.of(
        state.prompt(),
        state.canaryWeightBp(),
        state.rolloutId(),
        split.choose(unit, pin),
        stable,
        canary);
  }

  /** This route as the routing snapshot carries it to the SDKs. */
  public RoutedPrompt routed() {
    return new RoutedPrompt(
        state.prompt(),
        stable.version(),
        stable.contentHash(),
        canary == null ? null : canary.version(),
        canary == null ? null : canary.contentHash(),
        state.canaryWeightBp(),
        state.rolloutId(),
        salt(),
        state.fenceSeq(),
        state.updatedAt());
  }
}
