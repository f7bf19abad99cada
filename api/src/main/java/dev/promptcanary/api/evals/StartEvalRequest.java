package dev.promptcanary.api.evals;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * The body of {@code POST /v1/evals}: run {@code suite} ({@code name} for its latest version, or
 * {@code name@version}) for {@code prompt} at {@code candidateVersion}, compared with {@code
 * baselineVersion} (default: the prompt's stable version, none when the candidate is the stable
 * one). {@code requestId} makes the start idempotent: the same id with the same request is the same
 * eval.
 */
public record StartEvalRequest(
    @NotBlank @Size(max = 200) String suite,
    @NotBlank @Size(max = 100) String prompt,
    @NotNull @Min(1) Integer candidateVersion,
    @Min(1) Integer baselineVersion,
    @Size(min = 1, max = 100)
        @Pattern(
            regexp = "[A-Za-z0-9._:-]+",
            message = "must be 1-100 of letters, digits and . _ : -")
        String requestId) {}
