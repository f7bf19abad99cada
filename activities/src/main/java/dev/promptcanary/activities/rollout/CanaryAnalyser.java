package dev.promptcanary.activities.rollout;

import dev.promptcanary.activities.stats.AnalysisInput;
import dev.promptcanary.activities.stats.AnalysisResult;
import dev.promptcanary.activities.stats.ArmSummary;
import dev.promptcanary.activities.stats.CanaryAnalysis;
import dev.promptcanary.activities.stats.LatencyExceedance;
import dev.promptcanary.activities.stats.Moments;
import dev.promptcanary.activities.stats.Proportion;
import dev.promptcanary.activities.store.AnalysisDao;
import dev.promptcanary.activities.store.AnalysisDao.LatencyCounts;
import dev.promptcanary.activities.store.AnalysisDao.OutcomeSums;
import dev.promptcanary.activities.store.AnalysisDao.ScoreSums;
import dev.promptcanary.workflows.domain.GatesConfig;
import dev.promptcanary.workflows.rollout.AnalysisReport;
import dev.promptcanary.workflows.rollout.AnalysisRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Reads one look's sufficient statistics from PostgreSQL and hands them to the statistics engine. The gates see the
 * current stage only (since its weight was set), with the rollout's alpha split evenly over its stages.
 */
public final class CanaryAnalyser {
  /**
   * Outcomes of a stage's first seconds are left out: every node takes up to a second to hear of the new weight,
   * and requests resolved at the old weight are often reported just after the change, which would look like a
   * sample ratio mismatch.
   */
  static final Duration ROUTING_SETTLE = Duration.ofSeconds(3);

  private final AnalysisDao dao;

  public CanaryAnalyser(AnalysisDao dao) {
    this.dao = dao;
  }

  public AnalysisReport analyse(AnalysisRequest request) {
    String prompt = request.prompt();
    int canary = request.candidateVersion();
    int baseline = request.baselineVersion();
    Instant stageSince = Instant.ofEpochMilli(request.stageSinceMillis()).plus(ROUTING_SETTLE);

    List<ScoreSums> stageScores = dao.scores(prompt, canary, baseline, stageSince);
    List<OutcomeSums> stageOutcomes = dao.outcomes(prompt, canary, baseline, stageSince);
    LatencyExceedance latency = latency(request, stageSince);

    ArmSummary canaryArm = arm(canary, stageScores, stageOutcomes);
    ArmSummary baselineArm = arm(baseline, stageScores, stageOutcomes);
    AnalysisResult result =
        CanaryAnalysis.analyse(
            new AnalysisInput(perStage(request.gates(), request.stageCount()), request.canaryWeightBp(), canaryArm,
                baselineArm, latency));
    return new AnalysisReport(
        result.overall(),
        result.gates(),
        canaryArm.quality().count(),
        baselineArm.quality().count(),
        canaryArm.observations(),
        baselineArm.observations());
  }

  /** The rollout's family-wise alpha, shared evenly by its stages' independent tests (Bonferroni). */
  static GatesConfig perStage(GatesConfig gates, int stageCount) {
    if (stageCount <= 1) {
      return gates;
    }
    return new GatesConfig(gates.alpha() / stageCount, gates.minimumSamples(), gates.quality(), gates.errorRate(),
        gates.safety(), gates.latency(), gates.cost(), gates.sampleRatio());
  }

  private LatencyExceedance latency(AnalysisRequest request, Instant since) {
    double quantile = request.gates().latency().quantile();
    Double cut = dao.latencyQuantile(request.prompt(), request.baselineVersion(), since, quantile);
    if (cut == null) {
      return LatencyExceedance.none(quantile);
    }
    List<LatencyCounts> counts =
        dao.latencyAbove(request.prompt(), request.candidateVersion(), request.baselineVersion(), since, cut);
    LatencyCounts c = find(counts, request.candidateVersion(), new LatencyCounts(request.candidateVersion(), 0, 0));
    LatencyCounts b = find(counts, request.baselineVersion(), new LatencyCounts(request.baselineVersion(), 0, 0));
    return new LatencyExceedance(quantile, cut, c.above(), c.requests(), b.above(), b.requests());
  }

  private static ArmSummary arm(int version, List<ScoreSums> scores, List<OutcomeSums> outcomes) {
    ScoreSums s = find(scores, version, new ScoreSums(version, 0, 0, 0));
    OutcomeSums o = find(outcomes, version, new OutcomeSums(version, 0, 0, 0, 0, 0, 0));
    return new ArmSummary(
        o.requests(),
        new Moments(s.count(), s.sum(), s.sumSquares()),
        new Proportion(o.requests(), o.errors()),
        new Proportion(o.requests(), o.safetyFlags()),
        new Moments(o.costCount(), o.costSum(), o.costSumSquares()));
  }

  private static ScoreSums find(List<ScoreSums> rows, int version, ScoreSums none) {
    return rows.stream().filter(r -> r.version() == version).findFirst().orElse(none);
  }

  private static OutcomeSums find(List<OutcomeSums> rows, int version, OutcomeSums none) {
    return rows.stream().filter(r -> r.version() == version).findFirst().orElse(none);
  }

  private static LatencyCounts find(List<LatencyCounts> rows, int version, LatencyCounts none) {
    return rows.stream().filter(r -> r.version() == version).findFirst().orElse(none);
  }
}
