package dev.promptcanary.api.rollouts;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/** One stage as requested; unset fields take the defaults of {@link RolloutDefaults}. */
public record StageRequest(
    @NotNull @Min(1) @Max(9_999) Integer weightBp,
    @Min(0) @Max(1_000_000) Integer minJudgements,
    @Min(0) @Max(30 * 86_400) Long minBakeSeconds,
    @Min(1) @Max(30 * 86_400) Long maxBakeSeconds) {}
