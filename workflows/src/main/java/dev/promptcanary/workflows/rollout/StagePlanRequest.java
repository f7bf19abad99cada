package dev.promptcanary.workflows.rollout;

import dev.promptcanary.workflows.domain.GatesConfig;

/**
 * Asks the sample planner what canary weight would let the current stage decide within {@code
 * hoursAvailable}, given the prompt's recent traffic; never above {@code maxWeightBp}.
 */
public record StagePlanRequest(
    String prompt,
    int baselineVersion,
    int currentWeightBp,
    int maxWeightBp,
    double hoursAvailable,
    int stageCount,
    GatesConfig gates) {}
