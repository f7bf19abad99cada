package dev.promptcanary.sdk;

/**
 * One served request for live judging ({@code POST /v1/transcripts}): what went in, what came out.
 */
public record Transcript(
    String requestId, String prompt, Integer version, String unit, String input, String output) {

  public static Transcript of(Resolved resolved, String requestId, String input, String output) {
    return new Transcript(
        requestId,
        resolved.decision().prompt(),
        resolved.decision().version(),
        resolved.unit(),
        input,
        output);
  }
}
