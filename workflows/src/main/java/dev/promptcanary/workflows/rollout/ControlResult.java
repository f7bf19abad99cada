package dev.promptcanary.workflows.rollout;

/** What a control did: the rollout's state once it had taken effect. */
public record ControlResult(RolloutState state, String message) {}
