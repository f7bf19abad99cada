package dev.promptcanary.workflows.rollout;

/**
 * The argument of a rollout run: the spec, and where to start. A fresh rollout starts from
 * {@link Checkpoint#initial()}; a continued-as-new run, or one resumed from PostgreSQL, from its checkpoint.
 *
 * @param resumedFromRunId the run this one resumes after its history was lost, or null
 */
public record RolloutInput(String rolloutId, RolloutSpec spec, Checkpoint checkpoint, String resumedFromRunId) {}
