package dev.promptcanary.workflows.rollout;

import dev.promptcanary.workflows.domain.GatesConfig;
import java.util.List;

/**
 * What a rollout was asked to do. Immutable for the life of the rollout.
 *
 * @param prompt the prompt being rolled out
 * @param candidateVersion the new version
 * @param baselineVersion the stable version when the rollout started; what a rollback returns to
 * @param stages canary weights to go through, in order
 * @param gates the statistical gates
 * @param evalSuite the offline eval suite to pass first, or null for none
 * @param inconclusivePolicy what a stage does at its maximum bake without a decision
 * @param maxExtensions how many times {@link InconclusivePolicy#EXTEND} may extend a stage
 * @param checkIntervalSeconds the fallback look at the data when no ingest notification arrives
 * @param alertWebhook where alert events are POSTed, or null
 * @param startedBy who started it
 * @param judge the judge whose scores count for quality ({@code model/rubricVersion}), pinned for
 *     the whole rollout; null pins the first judge to score either arm once the canary takes
 *     traffic
 * @param srmPolicy what a sample ratio mismatch does; null (a spec written before the field
 *     existed) holds
 * @param alertWebhookSecret the key alerts to {@code alertWebhook} are signed with (HMAC-SHA256 of
 *     the body), or null for unsigned. Kept in PostgreSQL only: the workflow gets the spec {@link
 *     #withoutWebhookSecret()}, so it never appears in Temporal's history or UI, and reads leave it
 *     out
 * @param alertFormat how alerts are written; null (a spec written before the field existed) is
 *     {@link WebhookFormat#JSON}
 * @param mode whether a regression rolls back or only alerts; null (a spec written before the field
 *     existed) is {@link RolloutMode#ENFORCE}
 */
public record RolloutSpec(
    String prompt,
    int candidateVersion,
    int baselineVersion,
    List<Stage> stages,
    GatesConfig gates,
    String evalSuite,
    InconclusivePolicy inconclusivePolicy,
    int maxExtensions,
    long checkIntervalSeconds,
    String alertWebhook,
    String startedBy,
    String judge,
    SrmPolicy srmPolicy,
    String alertWebhookSecret,
    WebhookFormat alertFormat,
    RolloutMode mode) {

  public RolloutSpec {
    stages = List.copyOf(stages);
    if (stages.isEmpty()) {
      throw new IllegalArgumentException("a rollout needs at least one stage");
    }
    for (int i = 1; i < stages.size(); i++) {
      if (stages.get(i).weightBp() <= stages.get(i - 1).weightBp()) {
        throw new IllegalArgumentException(
            "stage weights must increase, stage " + (i + 1) + " does not");
      }
    }
    if (candidateVersion == baselineVersion) {
      throw new IllegalArgumentException("the candidate is already the stable version");
    }
    if (checkIntervalSeconds < 1) {
      throw new IllegalArgumentException("checkIntervalSeconds must be >= 1");
    }
    if (maxExtensions < 0) {
      throw new IllegalArgumentException("maxExtensions must be >= 0");
    }
  }

  /** The same spec without its webhook secret: what the workflow, Temporal and readers see. */
  public RolloutSpec withoutWebhookSecret() {
    if (alertWebhookSecret == null) {
      return this;
    }
    return new RolloutSpec(
        prompt,
        candidateVersion,
        baselineVersion,
        stages,
        gates,
        evalSuite,
        inconclusivePolicy,
        maxExtensions,
        checkIntervalSeconds,
        alertWebhook,
        startedBy,
        judge,
        srmPolicy,
        null,
        alertFormat,
        mode);
  }

  /** Whether a regression only alerts ({@link RolloutMode#NOTIFY_ONLY}) instead of rolling back. */
  public boolean notifyOnly() {
    return mode == RolloutMode.NOTIFY_ONLY;
  }

  /** The alert format, {@link WebhookFormat#JSON} when none was asked for. */
  public WebhookFormat alertFormatOrDefault() {
    return alertFormat == null ? WebhookFormat.JSON : alertFormat;
  }

  /** Whether a sample ratio mismatch rolls back (asked for) rather than holds (the default). */
  public boolean rollsBackOnSampleRatioMismatch() {
    return srmPolicy == SrmPolicy.ROLLBACK;
  }
}
