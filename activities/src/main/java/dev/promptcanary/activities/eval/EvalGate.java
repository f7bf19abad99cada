package dev.promptcanary.activities.eval;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What the candidate must achieve on a suite. A field left out is not checked.
 *
 * @param minPassRate share of cases the candidate must pass, in [0, 1]
 * @param minMeanJudgeScore lowest acceptable mean judge score of the candidate, in [0, 1] (cases
 *     with judge assertions only)
 * @param maxDropVsBaseline how far the candidate's pass rate (and mean judge score) may fall below
 *     the baseline's on the same cases, in [0, 1]
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EvalGate(Double minPassRate, Double minMeanJudgeScore, Double maxDropVsBaseline) {}
