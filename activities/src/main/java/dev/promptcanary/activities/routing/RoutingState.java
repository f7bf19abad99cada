package dev.promptcanary.activities.routing;

import java.time.Instant;

/**
 * What the routing row of one prompt says: the stable version, the canary and its weight, who owns
 * it.
 */
public record RoutingState(
    String prompt,
    int stableVersion,
    Integer canaryVersion,
    int canaryWeightBp,
    String rolloutId,
    long fenceSeq,
    Instant updatedAt) {}
