package dev.promptcanary.workflows.rollout;

import java.util.List;

/**
 * The argument of a rollout run: the spec, and where to start. A fresh rollout starts from {@link
 * Checkpoint#initial()}; a continued-as-new run, or one resumed from PostgreSQL, from its
 * checkpoint.
 *
 * @param resumedFromRunId the run this one resumes after its history was lost, or null
 * @param planNotes what the sample planner expects of the stages, noted in the timeline at the
 *     start
 */
public record RolloutInput(
    String rolloutId,
    RolloutSpec spec,
    Checkpoint checkpoint,
    String resumedFromRunId,
    List<String> planNotes) {

  public RolloutInput {
    planNotes = planNotes == null ? List.of() : List.copyOf(planNotes);
  }

  public RolloutInput(
      String rolloutId, RolloutSpec spec, Checkpoint checkpoint, String resumedFromRunId) {
    this(rolloutId, spec, checkpoint, resumedFromRunId, List.of());
  }
}
