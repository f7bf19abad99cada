package dev.promptcanary.api.rollouts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.promptcanary.workflows.rollout.InconclusivePolicy;
import dev.promptcanary.workflows.rollout.RolloutMode;
import dev.promptcanary.workflows.rollout.SrmPolicy;
import dev.promptcanary.workflows.rollout.WebhookFormat;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * The body of {@code POST /v1/rollouts}. Only prompt and candidateVersion are required ({@code
 * startedBy} is accepted for clients written before API keys, and ignored: the rollout is started
 * by the key's name); {@code gates} holds only what differs from the default gates (e.g. {@code
 * {"latency": {"margin": 0.05}}}). {@code judge} pins the judge whose scores count ({@code
 * model/rubricVersion} as stored with each score); without it the first judge to score either arm
 * is pinned. {@code srmPolicy} is what a sample ratio mismatch does: {@code HOLD} (the default) or
 * {@code ROLLBACK}. {@code alertWebhookSecret} signs every alert to {@code alertWebhook}
 * (HMAC-SHA256, header {@code X-PromptCanary-Signature}); it is never read back. {@code
 * alertFormat} is {@code JSON} (the default) or {@code SLACK}. {@code mode} is {@code enforce} (the
 * default: a regression rolls back) or {@code notify-only} (a regression alerts and is recorded,
 * and does not roll back). {@code requestId} makes the start safe to retry: the same id with the
 * same body from the same key answers with the rollout the first attempt started (200), even when
 * that attempt was answered 503 or its answer was lost; with another body, 409 on {@code
 * requestId}.
 */
public record StartRolloutRequest(
    @NotBlank @Size(max = 100) String prompt,
    @NotNull @Min(1) Integer candidateVersion,
    @Size(min = 1, max = 10) List<@Valid @NotNull StageRequest> stages,
    JsonNode gates,
    @Size(max = 200) String evalSuite,
    InconclusivePolicy inconclusivePolicy,
    @Min(0) @Max(20) Integer maxExtensions,
    @Min(1) @Max(86_400) Integer checkIntervalSeconds,
    @Size(max = 2000) @Pattern(regexp = "https?://\\S+", message = "must be an http(s) URL")
        String alertWebhook,
    @Size(max = 200) String startedBy,
    @Size(min = 1, max = 300) String judge,
    SrmPolicy srmPolicy,
    @Size(min = 16, max = 200) String alertWebhookSecret,
    WebhookFormat alertFormat,
    RolloutMode mode,
    @Size(min = 1, max = 100)
        @Pattern(
            regexp = "[A-Za-z0-9._:-]+",
            message = "must be 1-100 of letters, digits and . _ : -")
        String requestId) {}
