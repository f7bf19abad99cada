package dev.promptcanary.api.rollouts;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * The body of a rollout control: why (it goes to the audit log and the workflow history). Who asks
 * is the API key's name; {@code actor} is still accepted for clients written before API keys, and
 * ignored. {@code requestId} makes the control safe to send again: once the rollout acted on it
 * (its audit entry carries the id), the same id from the same key for the same control answers 200
 * without acting again; without one the API gives each call its own.
 */
public record ControlBody(
    @Size(max = 200) String actor,
    @NotBlank @Size(max = 2000) String reason,
    @Size(min = 1, max = 100)
        @Pattern(
            regexp = "[A-Za-z0-9._:-]+",
            message = "must be 1-100 of letters, digits and . _ : -")
        String requestId) {}
