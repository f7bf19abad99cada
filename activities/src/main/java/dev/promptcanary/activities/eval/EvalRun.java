package dev.promptcanary.activities.eval;

import java.time.Instant;

/** One run of a suite for a rollout: {@code state} is RUNNING, PASSED or BLOCKED. */
public record EvalRun(
    long id,
    String runKey,
    String rolloutId,
    String suite,
    int suiteVersion,
    String prompt,
    int candidateVersion,
    Integer baselineVersion,
    String state,
    String reason,
    Instant startedAt,
    Instant finishedAt) {}
