package dev.promptcanary.workflows.rollout;

import dev.promptcanary.workflows.domain.Verdict;
import java.util.List;

/**
 * The answer of the progress query: where the rollout is and what it has seen ({@code pauseReason}:
 * why it is paused, null when it is not).
 */
public record RolloutProgress(
    String rolloutId,
    String prompt,
    int candidateVersion,
    int baselineVersion,
    RolloutState state,
    int stage,
    int stageCount,
    int canaryWeightBp,
    long canaryJudgements,
    long baselineJudgements,
    long canaryObservations,
    long baselineObservations,
    List<Verdict> lastVerdicts,
    List<TimelineEntry> timeline,
    PauseReason pauseReason) {}
