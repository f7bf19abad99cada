package dev.promptcanary.api.rollouts;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/**
 * The body of a rollout control: why (it goes to the audit log and the workflow history). Who asks
 * is the API key's name; {@code actor} is still accepted for clients written before API keys, and
 * ignored.
 */
public record ControlBody(
    @Size(max = 200) String actor, @NotBlank @Size(max = 2000) String reason) {}
