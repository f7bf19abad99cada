package dev.promptcanary.workflows.rollout;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * What the workflow writes to the rollouts read model in PostgreSQL at every change, so lists and
 * restarts never need Temporal: the checkpoint, with the run that wrote it and why (when something
 * ended or held). The activity's input; the columns it fills are {@code RolloutDao.Row}.
 *
 * <p>Records in histories written before the weight was read from the checkpoint carry a {@code
 * canaryWeightBp} of their own, always equal to the checkpoint's; it is ignored.
 */
@JsonIgnoreProperties({"canaryWeightBp"})
public record RolloutRecord(
    String rolloutId,
    String runId,
    RolloutSpec spec,
    Checkpoint checkpoint,
    String reason,
    String resumedFromRunId) {}
