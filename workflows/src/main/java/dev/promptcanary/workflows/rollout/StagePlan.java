package dev.promptcanary.workflows.rollout;

/**
 * The planner's answer: the weight to bake at (the current one when more would not help), and why.
 */
public record StagePlan(int weightBp, String note) {}
