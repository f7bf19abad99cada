package dev.promptcanary.activities.eval;

import java.util.List;
import org.jdbi.v3.json.Json;

/**
 * The stored outcome of one case on one arm ({@code candidate} or {@code baseline}): the answer,
 * each assertion's result, the mean judge score of its judge assertions (null when it has none),
 * and the call's usage.
 */
public record CaseResult(
    String caseId,
    String arm,
    int version,
    String output,
    @Json List<AssertionResult> assertions,
    Double judgeScore,
    boolean passed,
    int inputTokens,
    int outputTokens,
    double cost,
    long latencyMs,
    String model) {
  public static final String CANDIDATE = "candidate";
  public static final String BASELINE = "baseline";
}
