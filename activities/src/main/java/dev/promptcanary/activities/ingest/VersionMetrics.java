package dev.promptcanary.activities.ingest;

/**
 * Aggregates of one prompt version over a time window, computed in SQL. Judge-score sums are
 * included so the statistics engine can combine windows without the raw rows.
 */
public record VersionMetrics(
    int version,
    long observations,
    double errorRate,
    double safetyFlagRate,
    Double latencyP50Ms,
    Double latencyP95Ms,
    Double latencyP99Ms,
    Double meanInputTokens,
    Double meanOutputTokens,
    Double meanCost,
    long feedbackCount,
    Double meanFeedback,
    long judgements,
    Double meanScore,
    Double scoreVariance,
    double scoreSum,
    double scoreSumSquares) {}
