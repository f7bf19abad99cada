package dev.promptcanary.activities.rollout;

import dev.promptcanary.activities.stats.AnalysisInput;
import dev.promptcanary.activities.stats.AnalysisResult;
import dev.promptcanary.activities.stats.ArmSummary;
import dev.promptcanary.activities.stats.CanaryAnalysis;
import dev.promptcanary.activities.stats.JudgeHealthCheck;
import dev.promptcanary.activities.stats.JudgeSample;
import dev.promptcanary.activities.stats.LatencyExceedance;
import dev.promptcanary.activities.stats.Moments;
import dev.promptcanary.activities.stats.Proportion;
import dev.promptcanary.activities.store.AnalysisDao;
import dev.promptcanary.activities.store.AnalysisDao.FailureCount;
import dev.promptcanary.activities.store.AnalysisDao.JudgeScoreSums;
import dev.promptcanary.activities.store.AnalysisDao.LatencyCounts;
import dev.promptcanary.activities.store.AnalysisDao.OutcomeSums;
import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.domain.GatesConfig;
import dev.promptcanary.workflows.domain.Verdict;
import dev.promptcanary.workflows.rollout.AnalysisReport;
import dev.promptcanary.workflows.rollout.AnalysisRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one look's sufficient statistics from PostgreSQL and hands them to the statistics engine. The gates see the
 * current stage only (since its weight was set), with the rollout's alpha split evenly over its stages. Only the
 * rollout's judge's scores count for quality; the judge-health check can hold the rollout on top of the gates.
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

  private record Scores(Moments canary, Moments baseline, long otherJudges) {}

  public AnalysisReport analyse(AnalysisRequest request) {
    String prompt = request.prompt();
    int canary = request.candidateVersion();
    int baseline = request.baselineVersion();
    Instant stageSince = Instant.ofEpochMilli(request.stageSinceMillis()).plus(ROUTING_SETTLE);

    String judge = request.judge() != null
        ? request.judge()
        : dao.firstJudge(prompt, canary, baseline, Instant.ofEpochMilli(request.canarySinceMillis())).orElse(null);
    Scores scores = scores(dao.scoresByJudge(prompt, canary, baseline, stageSince), judge, canary, baseline);
    List<OutcomeSums> stageOutcomes = dao.outcomes(prompt, canary, baseline, stageSince);
    LatencyExceedance latency = latency(request, stageSince);

    ArmSummary canaryArm = arm(canary, scores.canary(), stageOutcomes);
    ArmSummary baselineArm = arm(baseline, scores.baseline(), stageOutcomes);
    GatesConfig gates = perStage(request.gates(), request.stageCount());
    AnalysisResult result =
        CanaryAnalysis.analyse(new AnalysisInput(gates, request.canaryWeightBp(), canaryArm, baselineArm, latency));
    Verdict overall = result.overall();
    List<Verdict> verdicts = result.gates();
    if (gates.judgeHealth().enabled() && gates.quality().enabled()) {
      List<FailureCount> failures =
          judge == null ? List.of() : dao.judgeFailures(prompt, canary, baseline, judge, stageSince);
      JudgeSample sample = new JudgeSample(judge, scores.canary().count(), failures(failures, canary),
          scores.baseline().count(), failures(failures, baseline), scores.otherJudges());
      Verdict health = new JudgeHealthCheck(gates.judgeHealth()).evaluate(request.canaryWeightBp(), sample);
      verdicts = new ArrayList<>(verdicts);
      verdicts.add(health);
      verdicts = List.copyOf(verdicts);
      overall = withJudgeHealth(overall, verdicts, health);
    }
    return new AnalysisReport(
        overall,
        verdicts,
        (long) canaryArm.quality().n(),
        (long) baselineArm.quality().n(),
        canaryArm.observations(),
        baselineArm.observations());
  }

  /**
   * An unhealthy judge holds the rollout instead of a promotion or a quality regression, which would be decided on
   * biased scores. A broken traffic split and regressions the judge has no part in still stand.
   */
  static Verdict withJudgeHealth(Verdict overall, List<Verdict> gates, Verdict health) {
    if (health.decision() != Decision.JUDGE_UNHEALTHY
        || overall.decision() == Decision.SAMPLE_RATIO_MISMATCH
        || gates.stream().anyMatch(v -> v.decision() == Decision.REGRESSION && v.gate() != GateKind.QUALITY)) {
      return overall;
    }
    return new Verdict(GateKind.OVERALL, Decision.JUDGE_UNHEALTHY, overall.canaryN(), overall.baselineN(),
        health.estimate(), health.lower(), health.upper(), health.threshold(), "hold, " + health.reason());
  }

  /** The rollout's family-wise alpha, shared evenly by its stages' independent tests (Bonferroni). */
  static GatesConfig perStage(GatesConfig gates, int stageCount) {
    if (stageCount <= 1) {
      return gates;
    }
    return gates.withAlpha(gates.alpha() / stageCount);
  }

  /** The rollout judge's scores per arm; every other judge's scores are only counted. */
  private static Scores scores(List<JudgeScoreSums> rows, String judge, int canary, int baseline) {
    Moments c = Moments.EMPTY;
    Moments b = Moments.EMPTY;
    long others = 0;
    for (JudgeScoreSums row : rows) {
      if (judge != null && !judge.equals(row.judge())) {
        others += row.count();
      } else if (row.version() == canary) {
        c = new Moments(row.count(), row.sum(), row.sumSquares());
      } else if (row.version() == baseline) {
        b = new Moments(row.count(), row.sum(), row.sumSquares());
      }
    }
    return new Scores(c, b, others);
  }

  private static long failures(List<FailureCount> rows, int version) {
    return rows.stream().filter(r -> r.version() == version).mapToLong(FailureCount::failures).sum();
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

  private static ArmSummary arm(int version, Moments quality, List<OutcomeSums> outcomes) {
    OutcomeSums o = find(outcomes, version, new OutcomeSums(version, 0, 0, 0, 0, 0, 0));
    return ArmSummary.iid(
        o.requests(),
        quality,
        new Proportion(o.requests(), o.errors()),
        new Proportion(o.requests(), o.safetyFlags()),
        new Moments(o.costCount(), o.costSum(), o.costSumSquares()));
  }

  private static OutcomeSums find(List<OutcomeSums> rows, int version, OutcomeSums none) {
    return rows.stream().filter(r -> r.version() == version).findFirst().orElse(none);
  }

  private static LatencyCounts find(List<LatencyCounts> rows, int version, LatencyCounts none) {
    return rows.stream().filter(r -> r.version() == version).findFirst().orElse(none);
  }
}
