package dev.promptcanary.api.resources;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.promptcanary.activities.routing.RoutingState;

/**
 * A prompt's routing as the API shows it: the row's fields (unwrapped, so the JSON is flat), plus
 * the version a promotion last replaced ({@code lastKnownGoodVersion}, null before the first
 * promotion), the one to point stable back at when a promoted version turns out bad.
 */
public record RoutingView(@JsonUnwrapped RoutingState routing, Integer lastKnownGoodVersion) {}
