package dev.promptcanary.workflows.rollout;

import dev.promptcanary.workflows.domain.GatesConfig;

/**
 * One look at the data: outcomes since the canary started feed the gates; the current stage's observations feed
 * the sample-ratio check, because only they were routed at {@code canaryWeightBp}.
 */
public record AnalysisRequest(
    String rolloutId,
    String prompt,
    int candidateVersion,
    int baselineVersion,
    int canaryWeightBp,
    long canarySinceMillis,
    long stageSinceMillis,
    GatesConfig gates) {}
