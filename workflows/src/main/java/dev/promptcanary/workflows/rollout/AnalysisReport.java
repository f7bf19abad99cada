package dev.promptcanary.workflows.rollout;

import dev.promptcanary.workflows.domain.Verdict;
import java.util.List;

/**
 * The verdicts of one look, with the counts behind them. Returned by an activity, so every decision and the numbers
 * behind it are in the workflow history. The gates use everything since the canary started; completeness counts
 * only the judge scores of the current stage ({@code stage…Judgements}), so every stage is seen at its own weight.
 */
public record AnalysisReport(
    Verdict overall,
    List<Verdict> gates,
    long canaryJudgements,
    long baselineJudgements,
    long canaryObservations,
    long baselineObservations,
    long stageCanaryJudgements,
    long stageBaselineJudgements) {}
