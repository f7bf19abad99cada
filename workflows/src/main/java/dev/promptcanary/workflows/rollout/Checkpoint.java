package dev.promptcanary.workflows.rollout;

import dev.promptcanary.workflows.domain.Verdict;
import java.util.List;

/**
 * Everything a rollout must remember to go on from where it is: carried across continue-as-new, and
 * stored in PostgreSQL so a rollout can be resumed even if Temporal lost its history.
 *
 * @param state where the rollout is
 * @param stageIndex the current stage (0-based)
 * @param stageEntered whether the current stage's weight has been set
 * @param stageStartedAtMillis when the current stage's clock started
 * @param pausedMillis time spent paused in the current stage (not counted as bake time)
 * @param stageBudgetMillis bake time the current stage may use before its inconclusive policy
 *     applies (its maximum bake, plus any extensions)
 * @param canaryStartedAtMillis when the canary first took traffic (data since then feeds the gates)
 * @param extensionsUsed how many times a stage has been extended
 * @param routingSequence the fence sequence of the last routing write
 * @param lastVerdicts the latest verdict per gate, overall first
 * @param timeline what happened so far
 * @param canaryWeightBp the weight routing holds for this rollout (a stage's, or more when the
 *     planner raised it)
 * @param pauseReason why the rollout is paused, or null when it is not (or the checkpoint predates
 *     the field)
 * @param stageRestarts how often the current stage started over on fresh data (0 when the
 *     checkpoint predates it)
 */
public record Checkpoint(
    RolloutState state,
    int stageIndex,
    boolean stageEntered,
    long stageStartedAtMillis,
    long pausedMillis,
    long stageBudgetMillis,
    long canaryStartedAtMillis,
    int extensionsUsed,
    long routingSequence,
    List<Verdict> lastVerdicts,
    List<TimelineEntry> timeline,
    int canaryWeightBp,
    PauseReason pauseReason,
    int stageRestarts) {

  public Checkpoint {
    lastVerdicts = lastVerdicts == null ? List.of() : List.copyOf(lastVerdicts);
    timeline = timeline == null ? List.of() : List.copyOf(timeline);
  }

  public static Checkpoint initial() {
    return new Checkpoint(
        RolloutState.PENDING_EVAL, 0, false, 0, 0, 0, 0, 0, 0, List.of(), List.of(), 0, null, 0);
  }
}
