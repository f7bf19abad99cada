package dev.promptcanary.api.rollouts;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.promptcanary.workflows.rollout.Checkpoint;
import dev.promptcanary.workflows.rollout.RolloutProgress;
import dev.promptcanary.workflows.rollout.RolloutSpec;
import java.time.Instant;

/**
 * A rollout as the API shows it: the read model from PostgreSQL, and, while it runs and Temporal
 * answers, its live progress from the workflow itself.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RolloutView(
    String id,
    String prompt,
    int candidateVersion,
    int baselineVersion,
    String state,
    int stage,
    int canaryWeightBp,
    String reason,
    String resumedFromRunId,
    Instant createdAt,
    Instant updatedAt,
    Instant finishedAt,
    RolloutSpec spec,
    Checkpoint checkpoint,
    RolloutProgress live,
    String liveUnavailable) {}
