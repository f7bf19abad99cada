package dev.promptcanary.activities.ingest;

import java.time.Instant;

/** A judge attempt on one response that gave no score, and why; counted by the judge-health gate. */
public record JudgeFailure(String requestId, String prompt, int version, String judge, String reason, Instant failedAt) {}
