package dev.promptcanary.activities.ingest;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.time.Instant;

/**
 * The outcome of one served request, as the app reports it. {@code requestId} (unique per prompt)
 * makes reporting idempotent: the same id reported twice for a prompt is counted once. {@code unit}
 * is the session or user routing assigned; without one the request is its own unit ({@link
 * Units#ofRequest}).
 */
public record Observation(
    @NotBlank @Size(max = 200) String requestId,
    @NotBlank @Size(max = 100) String prompt,
    @NotNull @Min(1) Integer version,
    @Size(max = 200)
        @Pattern(
            regexp = Units.NO_CONTROL_CHARACTERS,
            message = Units.NO_CONTROL_CHARACTERS_MESSAGE)
        String unit,
    @ReportedInstant Instant observedAt,
    @NotNull @PositiveOrZero @DecimalMax(Limits.MAX_LATENCY_MS) Double latencyMs,
    @PositiveOrZero @Max(Limits.MAX_TOKENS) Integer inputTokens,
    @PositiveOrZero @Max(Limits.MAX_TOKENS) Integer outputTokens,
    @PositiveOrZero @DecimalMax(Limits.MAX_COST) Double cost,
    @NotNull Boolean error,
    @NotNull Boolean safetyFlag,
    @Min(-1) @Max(1) Integer feedback) {}
