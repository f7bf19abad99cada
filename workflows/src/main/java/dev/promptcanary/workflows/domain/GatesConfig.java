package dev.promptcanary.workflows.domain;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the statistics engine needs to know about what "good enough" means for one rollout.
 *
 * <p>{@code alpha} is the family-wise false-rollback budget: the chance that an identical canary
 * (A/A) is ever rolled back by any gate, however often the engine looks. It is split across the
 * enabled gates in proportion to their {@code alphaShare} (Bonferroni), and each gate's bounds are
 * one-sided at its share. The sample ratio check has its own, separate alpha; it holds the rollout
 * rather than judging the canary. {@link #perStage} divides both over a rollout's stages and the
 * restarts of a stage.
 *
 * <p>{@code feedback} and {@code metrics} were added later: JSON of rollouts started before them
 * lacks them, and they are then off (feedback) and empty (metrics), as those rollouts ran.
 *
 * @param alpha family-wise false-rollback rate, e.g. 0.05
 * @param minimumSamples observations (and units) per arm before a gate says anything but
 *     INSUFFICIENT_DATA
 * @param quality judge-score gate
 * @param errorRate error-rate gate
 * @param safety safety-flag gate
 * @param latency latency-quantile gate
 * @param cost cost-per-request gate
 * @param sampleRatio sample ratio mismatch check
 * @param judgeHealth judge failure and sampling-balance check; defaults when absent (rollouts
 *     started before it)
 * @param feedback user-feedback gate; off when absent
 * @param metrics gates on the rollout's own outcome metrics, by name; none when absent
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
    JudgeHealthGate judgeHealth,
    FeedbackGate feedback,
    List<MetricGate> metrics) {

  /** At most this many custom metric gates: each costs the others alpha and a look SQL. */
  public static final int MAX_METRICS = 20;

  public GatesConfig {
    if (!(alpha > 0 && alpha < 0.5)) {
      throw new GateConfigException("alpha", "must be in (0, 0.5), got " + alpha);
    }
    if (minimumSamples < 2) {
      throw new GateConfigException("minimumSamples", "must be >= 2, got " + minimumSamples);
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
    if (feedback == null) {
      feedback = FeedbackGate.off();
    }
    metrics = metrics == null ? List.of() : List.copyOf(metrics);
    if (metrics.size() > MAX_METRICS) {
      throw new GateConfigException(
          "metrics", "at most " + MAX_METRICS + " metric gates, got " + metrics.size());
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < metrics.size(); i++) {
      if (!names.add(metrics.get(i).name())) {
        throw new GateConfigException(
            "metrics[" + i + "].name", "metric '" + metrics.get(i).name() + "' is listed twice");
      }
    }
  }

  /**
   * Quality (non-inferiority, margin 0.05) with 90% of alpha 0.05; errors, safety flags, latency at
   * p50/p95/p99, cost and feedback as harm-detection guardrails sharing the rest (latency with a
   * promotion guard at 90% confidence against its margins); SRM at 0.001.
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
        JudgeHealthGate.defaults(),
        FeedbackGate.defaults(),
        List.of());
  }

  /** The same gates with another family-wise alpha. */
  public GatesConfig withAlpha(double newAlpha) {
    return with(newAlpha, errorRate, sampleRatio, metrics);
  }

  /** The same gates with these custom metric gates instead. */
  public GatesConfig withMetrics(List<MetricGate> newMetrics) {
    return with(alpha, errorRate, sampleRatio, newMetrics);
  }

  /** The same gates with another error-rate gate. */
  public GatesConfig withErrorRate(RateGate newErrorRate) {
    return with(alpha, newErrorRate, sampleRatio, metrics);
  }

  /** The same gates with another sample ratio check. */
  public GatesConfig withSampleRatio(SrmGate newSampleRatio) {
    return with(alpha, errorRate, newSampleRatio, metrics);
  }

  private GatesConfig with(
      double newAlpha, RateGate newErrorRate, SrmGate newSampleRatio, List<MetricGate> newMetrics) {
    return new GatesConfig(
        newAlpha,
        minimumSamples,
        quality,
        newErrorRate,
        safety,
        latency,
        cost,
        newSampleRatio,
        judgeHealth,
        feedback,
        newMetrics);
  }

  /**
   * The share of a stage's alpha that its {@code restart}-th test spends: {@code 3/4 * (1/4)^r}.
   * The shares sum to 1 over all restarts, so however often a stage starts over (an EXTEND that
   * raised the weight, a resume after a judge-health hold), its tests together keep the stage's
   * alpha. The first test keeps 3/4 (about 6% more samples than the whole), the first restart 3/16.
   */
  public static double restartShare(int restart) {
    if (restart < 0) {
      throw new IllegalArgumentException("restart must be >= 0, got " + restart);
    }
    return 0.75 * Math.pow(0.25, restart);
  }

  /**
   * The gates of one stage's test when a rollout of {@code stageCount} stages runs each stage as
   * its own sequential test: alpha and the sample ratio check's alpha both divided by the stage
   * count (Bonferroni), so the whole rollout keeps them. No restarts: {@code perStage(stageCount,
   * 0)} would spend only 3/4; this is the whole stage share, for callers that never restart a test.
   */
  public GatesConfig perStage(int stageCount) {
    return scaled(1.0 / checkedStageCount(stageCount));
  }

  /**
   * The gates of the {@code restart}-th test of a stage (0: its first; +1 each time the stage
   * starts over on fresh data): the stage's share of both alphas times {@link #restartShare(int)}.
   */
  public GatesConfig perStage(int stageCount, int restart) {
    int stages = checkedStageCount(stageCount);
    return scaled(restartShare(restart) / stages);
  }

  private static int checkedStageCount(int stageCount) {
    if (stageCount < 1) {
      throw new IllegalArgumentException("stageCount must be >= 1, got " + stageCount);
    }
    return stageCount;
  }

  private GatesConfig scaled(double factor) {
    if (factor == 1) {
      return this;
    }
    SrmGate srm = sampleRatio;
    return withAlpha(alpha * factor)
        .withSampleRatio(new SrmGate(srm.enabled(), srm.alpha() * factor, srm.relativeTolerance()));
  }

  /**
   * Whether at least one gate compares the arms and decides (quality, a guardrail, feedback or a
   * metric, not a dry run); a rollout with none could never decide.
   */
  public boolean hasComparisonGate() {
    return quality.enabled() && !quality.dryRun()
        || errorRate.enabled() && !errorRate.dryRun()
        || safety.enabled() && !safety.dryRun()
        || latency.enabled() && !latency.dryRun()
        || cost.settings().enabled() && !cost.settings().dryRun()
        || feedback.settings().enabled() && !feedback.settings().dryRun()
        || metrics.stream().anyMatch(m -> !m.dryRun());
  }

  /**
   * Whether some enabled gate that decides (not a dry run) needs evidence before a promotion:
   * quality, a guardrail in non-inferiority mode or with a {@code minimumPower}, or such a metric.
   * Feedback and the latency promotion guard do not count, since they are skipped while a stage has
   * none of their data. Without one, a rollout would promote on "no harm shown" from any sample,
   * however small.
   */
  public boolean needsEvidenceToPromote() {
    if (quality.enabled() && !quality.dryRun()) {
      return true;
    }
    if (deciding(errorRate.enabled(), errorRate.dryRun())
            && holds(errorRate.mode(), errorRate.minimumPower())
        || deciding(safety.enabled(), safety.dryRun())
            && holds(safety.mode(), safety.minimumPower())
        || deciding(latency.enabled(), latency.dryRun())
            && holds(latency.mode(), latency.minimumPower())
        || deciding(cost.settings().enabled(), cost.settings().dryRun())
            && holds(cost.settings().mode(), cost.settings().minimumPower())) {
      return true;
    }
    return metrics.stream().anyMatch(m -> !m.dryRun() && holds(m.mode(), m.minimumPower()));
  }

  private static boolean deciding(boolean enabled, boolean dryRun) {
    return enabled && !dryRun;
  }

  private static boolean holds(GateMode mode, double minimumPower) {
    return mode == GateMode.NON_INFERIORITY || minimumPower > 0;
  }
}
