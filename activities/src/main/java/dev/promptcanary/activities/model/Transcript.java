package dev.promptcanary.activities.model;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** One served request as an app reports it for live judging: what went in and what came out. */
public record Transcript(
    @NotBlank @Size(max = 200) String requestId,
    @NotBlank @Size(max = 100) String prompt,
    @NotNull @Min(1) Integer version,
    @Size(max = 200)
        @Pattern(
            regexp = dev.promptcanary.activities.ingest.Units.NO_CONTROL_CHARACTERS,
            message = dev.promptcanary.activities.ingest.Units.NO_CONTROL_CHARACTERS_MESSAGE)
        String unit,
    @NotNull @Size(max = 100_000) String input,
    @NotNull @Size(max = 100_000) String output) {}
