package dev.promptcanary.activities.routing;

import dev.promptcanary.activities.store.Actor;

/** A person setting a prompt's routing by hand, outside any rollout; recorded in the audit log. */
public record ManualRouting(
    String prompt,
    int stableVersion,
    Integer canaryVersion,
    int canaryWeightBp,
    Actor actor,
    String reason) {}
