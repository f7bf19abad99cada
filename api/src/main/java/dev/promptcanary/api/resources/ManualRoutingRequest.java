package dev.promptcanary.api.resources;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * The body of {@code PUT /v1/prompts/{name}/routing}. {@code actor} is still accepted for clients
 * written before API keys, and ignored: the audit log records the key's name.
 */
public record ManualRoutingRequest(
    @NotNull @Min(1) Integer stableVersion,
    @Min(1) Integer canaryVersion,
    @NotNull @Min(0) @Max(10_000) Integer canaryWeightBp,
    @Size(max = 200) String actor,
    @NotBlank @Size(max = 2000) String reason) {}
