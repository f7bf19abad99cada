package dev.promptcanary.activities.routing;

import java.time.Instant;

/**
 * One prompt's routing as SDKs evaluate it locally: which versions serve (with the content hash
 * each is cached by), the canary's weight in basis points, the salt of the unit hash, and the fence
 * sequence that orders its changes.
 */
public record RoutedPrompt(
    String prompt,
    int stableVersion,
    String stableContentHash,
    Integer canaryVersion,
    String canaryContentHash,
    int canaryWeightBp,
    String rolloutId,
    String salt,
    long fenceSeq,
    Instant updatedAt) {

  public static RoutedPrompt of(Route route) {
    RoutingState state = route.state();
    return new RoutedPrompt(
        state.prompt(),
        route.stable().version(),
        route.stable().contentHash(),
        route.canary() == null ? null : route.canary().version(),
        route.canary() == null ? null : route.canary().contentHash(),
        state.canaryWeightBp(),
        state.rolloutId(),
        route.salt(),
        state.fenceSeq(),
        state.updatedAt());
  }
}
