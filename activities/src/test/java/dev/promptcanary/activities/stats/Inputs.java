package dev.promptcanary.activities.stats;

import dev.promptcanary.workflows.domain.GatesConfig;

/** Builders for test inputs: arms given by their summary numbers rather than raw samples. */
final class Inputs {
  private Inputs() {}

  /** Judge scores with exactly this mean and sample standard deviation. */
  static Moments scores(long n, double mean, double sd) {
    return new Moments(n, n * mean, (n - 1) * sd * sd + n * mean * mean);
  }

  /**
   * An arm of n requests with the given judge-score mean and sd, a 1% error rate, no safety flags
   * and cost mean 1.0 sd 0.3.
   */
  static ArmSummary arm(long n, double mean, double sd) {
    return new ArmSummary(
        n,
        scores(n, mean, sd),
        new Proportion(n, Math.round(0.01 * n)),
        new Proportion(n, 0),
        scores(n, 1.0, 0.3));
  }

  static ArmSummary withErrors(ArmSummary a, long errors) {
    return new ArmSummary(
        a.observations(),
        a.quality(),
        new Proportion(a.errors().trials(), errors),
        a.safetyFlags(),
        a.cost());
  }

  static ArmSummary withSafetyFlags(ArmSummary a, long flags) {
    return new ArmSummary(
        a.observations(),
        a.quality(),
        a.errors(),
        new Proportion(a.safetyFlags().trials(), flags),
        a.cost());
  }

  static ArmSummary withCost(ArmSummary a, double mean, double sd) {
    return new ArmSummary(
        a.observations(),
        a.quality(),
        a.errors(),
        a.safetyFlags(),
        scores(a.cost().count(), mean, sd));
  }

  static ArmSummary withObservations(ArmSummary a, long observations) {
    return new ArmSummary(observations, a.quality(), a.errors(), a.safetyFlags(), a.cost());
  }

  /** 5% of each arm above the baseline p95, as with identical latency distributions. */
  static LatencyExceedance latency(long canaryN, long baselineN) {
    return latency(canaryN, Math.round(0.05 * canaryN), baselineN);
  }

  static LatencyExceedance latency(long canaryN, long canaryAbove, long baselineN) {
    return new LatencyExceedance(
        0.95, 900, canaryAbove, canaryN, Math.round(0.05 * baselineN), baselineN);
  }

  static AnalysisInput input(ArmSummary canary, ArmSummary baseline) {
    return new AnalysisInput(
        GatesConfig.defaults(),
        5_000,
        canary,
        baseline,
        latency(canary.observations(), baseline.observations()));
  }
}
