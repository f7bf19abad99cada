package dev.promptcanary.workflows.rollout;

import dev.promptcanary.workflows.domain.GatesConfig;

/**
 * One look at the data of the current stage. Each stage is its own sequential test over the
 * outcomes since its weight was set ({@code stageSinceMillis}): pooling stages run at different
 * weights would mix time windows in different proportions per arm (Simpson's paradox under drift),
 * and the sample-ratio check needs one weight. The family-wise alpha is split evenly over the
 * {@code stageCount} stages, so the whole rollout keeps it.
 *
 * @param canarySinceMillis when the canary first took traffic: the judge that scored first since
 *     then is the rollout's judge when {@code judge} is null
 * @param judge the rollout's pinned judge ({@code model/rubricVersion}), or null to pin the first
 *     to score
 * @param stageRestart how often the stage started over on fresh data (0: its first test); each
 *     restart is a new test with its own share of the stage's alpha
 * @param notifyOnly the rollout's mode is {@link RolloutMode#NOTIFY_ONLY}: a gate's regression does
 *     not make the overall verdict a regression (false in requests recorded before the field)
 */
public record AnalysisRequest(
    String rolloutId,
    String prompt,
    int candidateVersion,
    int baselineVersion,
    int canaryWeightBp,
    long canarySinceMillis,
    long stageSinceMillis,
    int stageCount,
    GatesConfig gates,
    String judge,
    int stageRestart,
    boolean notifyOnly) {}
