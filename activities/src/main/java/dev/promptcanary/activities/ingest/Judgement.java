package dev.promptcanary.activities.ingest;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Instant;

/**
 * A judge's score of one response, rescaled by the reporter to [0, 1]. One score per (request, judge): a retry
 * is counted once.
 */
public record Judgement(
    @NotBlank @Size(max = 200) String requestId,
    @NotBlank @Size(max = 100) String prompt,
    @NotNull @Min(1) Integer version,
    @NotBlank @Size(max = 200) String judge,
    @NotNull @DecimalMin("0.0") @DecimalMax("1.0") Double score,
    Instant judgedAt) {

  public Judgement withTimeIfMissing(Instant now) {
    return judgedAt != null ? this : new Judgement(requestId, prompt, version, judge, score, now);
  }
}
