package dev.promptcanary.workflows.rollout;

import dev.promptcanary.workflows.domain.Verdict;
import java.util.ArrayList;
import java.util.List;

/**
 * The workflow's working copy of its {@link Checkpoint}: mutable inside one run, frozen to carry it
 * over.
 */
final class RolloutMemory {
  private static final int TIMELINE_LIMIT = 200;

  RolloutState state;
  int stageIndex;
  boolean stageEntered;
  final StageClock clock;
  long canaryStartedAtMillis;
  int extensionsUsed;
  long routingSequence;
  List<Verdict> lastVerdicts;
  final List<TimelineEntry> timeline;
  int canaryWeightBp;
  PauseReason pauseReason;

  RolloutMemory(Checkpoint checkpoint) {
    state = checkpoint.state();
    stageIndex = checkpoint.stageIndex();
    stageEntered = checkpoint.stageEntered();
    clock =
        new StageClock(
            checkpoint.stageStartedAtMillis(),
            checkpoint.pausedMillis(),
            checkpoint.stageBudgetMillis(),
            checkpoint.stageRestarts());
    canaryStartedAtMillis = checkpoint.canaryStartedAtMillis();
    extensionsUsed = checkpoint.extensionsUsed();
    routingSequence = checkpoint.routingSequence();
    lastVerdicts = checkpoint.lastVerdicts();
    timeline = new ArrayList<>(checkpoint.timeline());
    canaryWeightBp = checkpoint.canaryWeightBp();
    pauseReason = checkpoint.pauseReason();
  }

  Checkpoint checkpoint() {
    return new Checkpoint(
        state,
        stageIndex,
        stageEntered,
        clock.startedAtMillis(),
        clock.pausedMillis(),
        clock.budgetMillis(),
        canaryStartedAtMillis,
        extensionsUsed,
        routingSequence,
        lastVerdicts,
        timeline,
        canaryWeightBp,
        pauseReason,
        clock.restarts());
  }

  /** Keeps the story bounded: the first entries (how it started) and the latest ones. */
  void note(long atMillis, String event, String detail) {
    if (timeline.size() >= TIMELINE_LIMIT) {
      timeline.remove(10);
    }
    timeline.add(new TimelineEntry(atMillis, event, detail));
  }

  boolean routingClaimed() {
    return routingSequence > 0;
  }
}
