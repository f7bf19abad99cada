package dev.promptcanary.api.rollouts;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/**
 * The body of a rollout control: who asks, and why (both go to the audit log and the workflow
 * history).
 */
public record ControlBody(
    @NotBlank @Size(max = 200) String actor, @NotBlank @Size(max = 2000) String reason) {}
