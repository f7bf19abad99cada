package dev.promptcanary.activities.ingest;

import java.time.Instant;

/**
 * A judge attempt on one response that gave no score, and why; counted by the judge-health gate
 * against the unit its request was served to ({@code unit} and {@code servedAt} when known, else
 * from the request's observation).
 */
public record JudgeFailure(
    String requestId,
    String prompt,
    int version,
    String judge,
    String reason,
    Instant failedAt,
    String unit,
    Instant servedAt) {

  public JudgeFailure(
      String requestId, String prompt, int version, String judge, String reason, Instant failedAt) {
    this(requestId, prompt, version, judge, reason, failedAt, null, null);
  }
}
