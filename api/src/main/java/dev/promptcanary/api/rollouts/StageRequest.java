package dev.promptcanary.api.rollouts;

import dev.promptcanary.workflows.rollout.ApprovalTimeoutAction;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/**
 * One stage as requested; unset fields take the defaults of {@link RolloutDefaults}. {@code
 * requireApproval: true} makes the rollout wait in {@code AWAITING_APPROVAL} for an {@code approve}
 * once the stage's gates pass, for at most {@code approvalTimeoutSeconds} (none: for ever), then
 * does what {@code onApprovalTimeout} says ({@code PROMOTE}, {@code ROLLBACK} or {@code HOLD}, the
 * default).
 */
public record StageRequest(
    @NotNull @Min(1) @Max(9_999) Integer weightBp,
    @Min(0) @Max(1_000_000) Integer minJudgements,
    @Min(0) @Max(30 * 86_400) Long minBakeSeconds,
    @Min(1) @Max(30 * 86_400) Long maxBakeSeconds,
    Boolean requireApproval,
    @Min(1) @Max(30 * 86_400) Long approvalTimeoutSeconds,
    ApprovalTimeoutAction onApprovalTimeout) {}
