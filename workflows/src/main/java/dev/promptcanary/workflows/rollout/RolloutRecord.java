package dev.promptcanary.workflows.rollout;

/**
 * The rollout's read model in PostgreSQL, written at every change so lists and restarts never need
 * Temporal.
 */
public record RolloutRecord(
    String rolloutId,
    String runId,
    RolloutSpec spec,
    Checkpoint checkpoint,
    int canaryWeightBp,
    String reason,
    String resumedFromRunId) {}
