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
 * One value of a team's own outcome metric (a resolution, an escalation, a satisfaction score, a
 * conversion), for one request ({@code requestId}) or, without one, for the whole session or user
 * ({@code unit}). A proportion's values are 0 or 1. One value per (prompt, unit, request or
 * session, name): a retry is counted once. Values are summed per unit over the unit's first
 * version, like every other metric.
 */
public record OutcomeMetric(
    @NotBlank @Size(max = 100) String prompt,
    @NotNull @Min(1) Integer version,
    @NotBlank
        @Size(max = 200)
        @Pattern(
            regexp = Units.NO_CONTROL_CHARACTERS,
            message = Units.NO_CONTROL_CHARACTERS_MESSAGE)
        String unit,
    @Size(min = 1, max = 200) String requestId,
    @NotNull
        @Pattern(
            regexp = NAME,
            message =
                "must be 1-100 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit")
        String name,
    @NotNull @DecimalMin(Limits.MIN_METRIC_VALUE) @DecimalMax(Limits.MAX_METRIC_VALUE) Double value,
    @ReportedInstant Instant observedAt) {

  public static final String NAME = "^[a-z0-9][a-z0-9._-]{0,99}$";

  /** What makes a value the same report: prompt, unit, request (or the session) and name. */
  public String identity() {
    return prompt
        + "\u0000"
        + unit
        + "\u0000"
        + (requestId == null ? "" : requestId)
        + "\u0000"
        + name;
  }
}
