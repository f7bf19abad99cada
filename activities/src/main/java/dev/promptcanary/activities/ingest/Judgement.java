package dev.promptcanary.activities.ingest;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;

/**
 * A judge's score of one response, rescaled by the reporter to [0, 1]. One score per (prompt,
 * request, judge): a retry is counted once. The score belongs to the unit and time its request was
 * served: {@code unit} and {@code servedAt} when the reporter knows them, else taken from the
 * observation of the same request, at ingest or, when the score arrives first, at look time.
 */
public record Judgement(
    @NotBlank @Size(max = 200) String requestId,
    @NotBlank @Size(max = 100) String prompt,
    @NotNull @Min(1) Integer version,
    @NotBlank @Size(max = 200) String judge,
    @NotNull @DecimalMin("0.0") @DecimalMax("1.0") Double score,
    @ReportedInstant Instant judgedAt,
    @Size(max = 200)
        @Pattern(
            regexp = Units.NO_CONTROL_CHARACTERS,
            message = Units.NO_CONTROL_CHARACTERS_MESSAGE)
        String unit,
    @ReportedInstant Instant servedAt) {

  /** A score whose unit and serving time are left to the observation of its request. */
  public Judgement(
      String requestId,
      String prompt,
      Integer version,
      String judge,
      Double score,
      Instant judgedAt) {
    this(requestId, prompt, version, judge, score, judgedAt, null, null);
  }
}
