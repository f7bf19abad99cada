package dev.promptcanary.workflows.rollout;

/** How a rollout ended, and why. */
public record RolloutResult(
    RolloutState state, String reason, int stageIndex, int finalCanaryWeightBp) {}
