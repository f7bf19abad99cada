package dev.promptcanary.api.resources;

import dev.promptcanary.activities.routing.RoutingState;
import java.time.Instant;

/**
 * A prompt's routing as the API shows it: the row, plus the version a promotion last replaced
 * ({@code lastKnownGoodVersion}, null before the first promotion), the one to point stable back at
 * when a promoted version turns out bad.
 */
public record RoutingView(
    String prompt,
    int stableVersion,
    Integer canaryVersion,
    int canaryWeightBp,
    String rolloutId,
    long fenceSeq,
    Instant updatedAt,
    Integer lastKnownGoodVersion) {

  static RoutingView of(RoutingState state, Integer lastKnownGoodVersion) {
    return new RoutingView(
        state.prompt(),
        state.stableVersion(),
        state.canaryVersion(),
        state.canaryWeightBp(),
        state.rolloutId(),
        state.fenceSeq(),
        state.updatedAt(),
        lastKnownGoodVersion);
  }
}
