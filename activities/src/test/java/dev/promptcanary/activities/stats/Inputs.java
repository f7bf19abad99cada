package dev.promptcanary.activities.stats;

import dev.promptcanary.workflows.domain.GatesConfig;
import dev.promptcanary.workflows.domain.MetricGate;
import dev.promptcanary.workflows.domain.RateGate;
import java.util.List;

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
    return ArmSummary.iid(
        n,
        scores(n, mean, sd),
        new Proportion(n, Math.round(0.01 * n)),
        new Proportion(n, 0),
        scores(n, 1.0, 0.3));
  }

  static ArmSummary withErrors(ArmSummary a, long errors) {
    return new ArmSummary(
        a.units(),
        a.observations(),
        a.quality(),
        UnitSums.iid(new Proportion((long) a.errors().n(), errors)),
        a.safetyFlags(),
        a.cost(),
        a.feedback(),
        a.metrics());
  }

  static ArmSummary withSafetyFlags(ArmSummary a, long flags) {
    return new ArmSummary(
        a.units(),
        a.observations(),
        a.quality(),
        a.errors(),
        UnitSums.iid(new Proportion((long) a.safetyFlags().n(), flags)),
        a.cost(),
        a.feedback(),
        a.metrics());
  }

  static ArmSummary withCost(ArmSummary a, double mean, double sd) {
    return new ArmSummary(
        a.units(),
        a.observations(),
        a.quality(),
        a.errors(),
        a.safetyFlags(),
        UnitSums.iid(scores((long) a.cost().n(), mean, sd)),
        a.feedback(),
        a.metrics());
  }

  /** The same arm with another count of units and requests (one request per unit). */
  static ArmSummary withObservations(ArmSummary a, long observations) {
    return new ArmSummary(
        observations,
        observations,
        a.quality(),
        a.errors(),
        a.safetyFlags(),
        a.cost(),
        a.feedback(),
        a.metrics());
  }

  /** 5% of each arm above the baseline p95, as with identical latency distributions. */
  static LatencyExceedance latency(long canaryN, long stableN) {
    return latency(canaryN, Math.round(0.05 * canaryN), stableN);
  }

  static LatencyExceedance latency(long canaryN, long canaryAbove, long stableN) {
    return new LatencyExceedance(
        0.95, 900, canaryAbove, canaryN, Math.round(0.05 * stableN), stableN);
  }

  /** A cut at quantile q with per-request (one-request-unit) exceedance counts. */
  static LatencyCut cut(double q, long canaryN, long canaryAbove, long stableN) {
    long stableAbove = Math.round((1 - q) * stableN);
    return new LatencyCut(
        q,
        900,
        UnitSums.iid(new Proportion(canaryN, canaryAbove)),
        UnitSums.iid(new Proportion(stableN, stableAbove)));
  }

  /** The default gates with another error-rate gate. */
  static GatesConfig withErrorGate(RateGate errors) {
    GatesConfig d = GatesConfig.defaults();
    return new GatesConfig(
        d.alpha(),
        d.minimumSamples(),
        d.quality(),
        errors,
        d.safety(),
        d.latency(),
        d.cost(),
        d.sampleRatio(),
        d.judgeHealth(),
        d.feedback(),
        d.metrics());
  }

  /** The default gates with custom metrics. */
  static GatesConfig withMetrics(MetricGate... metrics) {
    GatesConfig d = GatesConfig.defaults();
    return new GatesConfig(
        d.alpha(),
        d.minimumSamples(),
        d.quality(),
        d.errorRate(),
        d.safety(),
        d.latency(),
        d.cost(),
        d.sampleRatio(),
        d.judgeHealth(),
        d.feedback(),
        List.of(metrics));
  }

  static AnalysisInput input(ArmSummary canary, ArmSummary stable) {
    return new AnalysisInput(
        GatesConfig.defaults(),
        5_000,
        canary,
        stable,
        latency(canary.observations(), stable.observations()));
  }
}
