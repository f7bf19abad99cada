package dev.promptcanary.workflows.rollout;

import dev.promptcanary.workflows.domain.Verdict;
import java.util.List;

/**
 * The verdicts of one look at the current stage, with the stage's counts behind them (completeness
 * uses the judge score counts). Returned by an activity, so every decision and the numbers behind
 * it are in the workflow history.
 */
public record AnalysisReport(
    Verdict overall,
    List<Verdict> gates,
    long canaryJudgements,
    long baselineJudgements,
    long canaryObservations,
    long baselineObservations) {}
