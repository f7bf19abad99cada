package dev.promptcanary.workflows.domain;

import java.util.Objects;

/**
 * Everything the statistics engine needs to know about what "good enough" means for one rollout.
 *
 * <p>{@code alpha} is the family-wise false-rollback budget: the chance that an identical canary
 * (A/A) is ever rolled back by any gate, however often the engine looks. It is split across the
 * enabled gates in proportion to their {@code alphaShare} (Bonferroni), and each gate's bounds are
 * one-sided at its share. The sample ratio check has its own, separate alpha because it can only
 * block a promotion, never cause a rollback.
 *
 * @param alpha family-wise false-rollback rate, e.g. 0.05
 * @param minimumSamples observations per arm before a gate says anything but INSUFFICIENT_DATA
 * @param quality judge-score gate
 * @param errorRate error-rate gate
 * @param safety safety-flag gate
 * @param latency latency-quantile gate
 * @param cost cost-per-request gate
 * @param sampleRatio sample ratio mismatch check
 * @param judgeHealth judge failure and sampling-balance check; defaults when absent (rollouts started before it)
 */
public record GatesConfig(
    double alpha,
    int minimumSamples,
    QualityGate quality,
    RateGate errorRate,
    RateGate safety,
    LatencyGate latency,
    CostGate cost,
    SrmGate sampleRatio,
    JudgeHealthGate judgeHealth) {

  public GatesConfig {
    if (!(alpha > 0 && alpha < 0.5)) {
      throw new IllegalArgumentException("alpha must be in (0, 0.5), got " + alpha);
    }
    if (minimumSamples < 2) {
      throw new IllegalArgumentException("minimumSamples must be >= 2, got " + minimumSamples);
    }
    Objects.requireNonNull(quality, "quality");
    Objects.requireNonNull(errorRate, "errorRate");
    Objects.requireNonNull(safety, "safety");
    Objects.requireNonNull(latency, "latency");
    Objects.requireNonNull(cost, "cost");
    Objects.requireNonNull(sampleRatio, "sampleRatio");
    if (judgeHealth == null) {
      judgeHealth = JudgeHealthGate.defaults();
    }
  }

  /**
   * Five gates sharing alpha 0.05 (quality 0.045, the four guardrails 0.00125 each), SRM at 0.001.
   */
  public static GatesConfig defaults() {
    return new GatesConfig(
        0.05,
        30,
        QualityGate.defaults(),
        RateGate.errorDefaults(),
        RateGate.safetyDefaults(),
        LatencyGate.defaults(),
        CostGate.defaults(),
        SrmGate.defaults(),
        JudgeHealthGate.defaults());
  }

  /** The same gates with another family-wise alpha. */
  public GatesConfig withAlpha(double newAlpha) {
    return new GatesConfig(newAlpha, minimumSamples, quality, errorRate, safety, latency, cost, sampleRatio,
        judgeHealth);
  }
}
