package dev.promptcanary.sdk;

import java.time.Instant;

/**
 * A judge's score in [0, 1] of one response ({@code POST /v1/judgements}), counted once per
 * (prompt, request, judge). {@code unit} and {@code servedAt} may be null: the server then takes
 * them from the observation of the same request.
 */
public record Judgement(
    String requestId,
    String prompt,
    Integer version,
    String judge,
    Double score,
    Instant judgedAt,
    String unit,
    Instant servedAt) {

  public static Judgement of(Resolved resolved, String requestId, String judge, double score) {
    return new Judgement(
        requestId,
        resolved.decision().prompt(),
        resolved.decision().version(),
        judge,
        score,
        Instant.now(),
        resolved.unit(),
        null);
  }
}
