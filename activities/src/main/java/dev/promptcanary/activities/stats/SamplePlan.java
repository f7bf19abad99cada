package dev.promptcanary.activities.stats;

/**
 * How much data and time a canary needs before the engine can be expected to decide.
 *
 * @param expectedCanarySamples canary samples at which the always-valid bound reaches the effect:
 *     about the mean number of samples to catch an effect of exactly that size
 * @param canarySamplesForPower canary samples by which the effect is caught with the requested
 *     power (a single-look calculation, so slightly pessimistic for a test that looks continuously)
 * @param stableSamplesForPower baseline samples arriving alongside
 * @param expectedHours wall time to {@code expectedCanarySamples}
 * @param hoursForPower wall time to {@code canarySamplesForPower}
 * @param summary one line for the rollout's start-up warning
 */
public record SamplePlan(
    long expectedCanarySamples,
    long canarySamplesForPower,
    long stableSamplesForPower,
    double expectedHours,
    double hoursForPower,
    String summary) {}
