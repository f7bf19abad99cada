package dev.promptcanary.api.resources;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;

/**
 * A new API key: its holder's name (the actor the audit log records) and its role ({@code client},
 * {@code reader}, {@code deployer} or {@code admin}).
 */
public record CreateKeyRequest(
    @NotBlank
        @Pattern(
            regexp = "[A-Za-z0-9][A-Za-z0-9._@-]{0,99}",
            message =
                "must be 1-100 characters of letters, digits, '.', '_', '@' or '-', starting with a"
                    + " letter or digit")
        String name,
    @NotBlank String role) {}
