package dev.promptcanary.workflows.rollout;

/** A person's instruction to a running rollout (bypass, abort, pause, resume): who, and why. */
public record ControlRequest(String actor, String reason) {}
