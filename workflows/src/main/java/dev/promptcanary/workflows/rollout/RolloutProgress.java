package dev.promptcanary.workflows.rollout;

import com.fasterxml.jackson.annotation.JsonAlias;
import dev.promptcanary.workflows.domain.Verdict;
import java.util.List;

/**
 * The answer of the progress query: where the rollout is and what it has seen ({@code pauseReason}:
 * why it is paused, null when it is not).
 *
 * <p>The stable arm's counts were once named baseline…: histories and read-model rows written
 * before the rename carry the old names, which {@code @JsonAlias} still reads.
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
    @JsonAlias("baselineJudgements") long stableJudgements,
    long canaryObservations,
    @JsonAlias("baselineObservations") long stableObservations,
    List<Verdict> lastVerdicts,
    List<TimelineEntry> timeline,
    PauseReason pauseReason) {}
