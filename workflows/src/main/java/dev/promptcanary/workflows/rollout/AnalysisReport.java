package dev.promptcanary.workflows.rollout;

import com.fasterxml.jackson.annotation.JsonAlias;
import dev.promptcanary.workflows.domain.Verdict;
import java.util.List;

/**
 * The verdicts of one look at the current stage, with the stage's counts behind them (completeness
 * uses the judge score counts). Returned by an activity, so every decision and the numbers behind
 * it are in the workflow history.
 *
 * <p>The stable arm's counts were once named baseline…: histories and read-model rows written
 * before the rename carry the old names, which {@code @JsonAlias} still reads.
 */
public record AnalysisReport(
    Verdict overall,
    List<Verdict> gates,
    long canaryJudgements,
    @JsonAlias("baselineJudgements") long stableJudgements,
    long canaryObservations,
    @JsonAlias("baselineObservations") long stableObservations) {}
