package dev.promptcanary.activities.rollout;

import dev.promptcanary.activities.stats.AnalysisInput;
import dev.promptcanary.activities.stats.AnalysisResult;
import dev.promptcanary.activities.stats.ArmSummary;
import dev.promptcanary.activities.stats.CanaryAnalysis;
import dev.promptcanary.activities.stats.JudgeHealthCheck;
import dev.promptcanary.activities.stats.JudgeSample;
import dev.promptcanary.activities.stats.LatencyCut;
import dev.promptcanary.activities.stats.UnitSums;
import dev.promptcanary.activities.store.AnalysisDao;
import dev.promptcanary.activities.store.AnalysisDao.ArmSums;
import dev.promptcanary.activities.store.AnalysisDao.Cut;
import dev.promptcanary.activities.store.AnalysisDao.FailureCount;
import dev.promptcanary.activities.store.AnalysisDao.Quantiles;
import dev.promptcanary.activities.store.AnalysisDao.Sums;
import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.domain.GatesConfig;
import dev.promptcanary.workflows.domain.MetricGate;
import dev.promptcanary.workflows.domain.Verdict;
import dev.promptcanary.workflows.rollout.AnalysisReport;
import dev.promptcanary.workflows.rollout.AnalysisRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jdbi.v3.core.Jdbi;

/**
 * Reads one look's per-unit sufficient statistics from PostgreSQL and hands them to the statistics
 * engine.
 *
 * <p>A stage's data are the units <b>first exposed</b> in it (first served at or after the stage
 * started) whose first version is the candidate or the baseline: per arm their count (what the
 * sample ratio check counts) and, for every metric, per-unit sums over each unit's requests on its
 * first version, whenever the outcomes arrive. Nothing is left out by time: a score that arrives
 * minutes late counts in the stage its request's unit was exposed in, and sessions pinned from an
 * earlier stage stay in that stage's comparison, not the next one's. The rollout's alpha is split
 * evenly over its stages. Only the rollout's judge's scores count for quality; the judge-health
 * check, fed with the same attribution, can hold the rollout on top of the gates. Latency is
 * compared against cuts frozen per stage ({@link #latency}).
 */
public final class CanaryAnalyser {
  /**
   * Baseline requests before the stage that its latency cuts are computed from: the most recent
   * ones.
   */
  static final int CUT_RECENT_REQUESTS = 5_000;

  /**
   * Fewer baseline latencies than this before the stage: the cuts wait for this many in the stage
   * itself.
   */
  static final int CUT_MINIMUM_REQUESTS = 200;

  /** Runs one look's reads with the DAO they go through. */
  private final Function<Function<AnalysisDao, Look>, Look> store;

  /**
   * One handle per look, its DAO attached to it: a look's 5-8 store calls share it. Each call of an
   * on-demand DAO opens its own handle and copies Jdbi's configuration, which cost more worker CPU
   * than the look's statistics and SQL together (docs/benchmarks.md, "look-cost").
   */
  public CanaryAnalyser(Jdbi jdbi) {
    this.store = look -> jdbi.withExtension(AnalysisDao.class, look::apply);
  }

  /**
   * Every call through {@code dao} as it is (an on-demand DAO opens a handle per call: the
   * look-cost bench's baseline).
   */
  public CanaryAnalyser(AnalysisDao dao) {
    this.store = look -> look.apply(dao);
  }

  private record Scores(UnitSums canary, UnitSums stable, long otherJudges) {}

  /**
   * What one look reads from the store: the engine's input, and the rollout judge's sample for its
   * health check.
   */
  record Look(AnalysisInput input, JudgeSample judge) {}

  public AnalysisReport analyse(AnalysisRequest request) {
    Look look = look(request);
    AnalysisInput input = look.input();
    GatesConfig gates = input.gates();
    AnalysisResult result = CanaryAnalysis.analyse(input, request.notifyOnly());
    Verdict overall = result.overall();
    List<Verdict> verdicts = result.gates();
    if (gates.judgeHealth().enabled() && gates.quality().enabled()) {
      Verdict health =
          new JudgeHealthCheck(gates.judgeHealth())
              .evaluate(request.canaryWeightBp(), look.judge());
      verdicts = new ArrayList<>(verdicts);
      verdicts.add(health);
      verdicts = List.copyOf(verdicts);
      overall = withJudgeHealth(overall, verdicts, health);
    }
    return new AnalysisReport(
        overall,
        verdicts,
        (long) input.canary().quality().n(),
        (long) input.stable().quality().n(),
        input.canary().observations(),
        input.stable().observations());
  }

  /** Reads the stage's per-unit sums (and freezes its latency cuts on the first look). */
  Look look(AnalysisRequest request) {
    return store.apply(dao -> look(dao, request));
  }

  private static Look look(AnalysisDao dao, AnalysisRequest request) {
    String prompt = request.prompt();
    int canary = request.candidateVersion();
    int stable = request.baselineVersion();
    Instant stageSince = Instant.ofEpochMilli(request.stageSinceMillis());

    String judge =
        request.judge() != null
            ? request.judge()
            : dao.firstJudge(
                    prompt, canary, stable, Instant.ofEpochMilli(request.canarySinceMillis()))
                .orElse(null);
    GatesConfig gates =
        request.gates().perStage(Math.max(1, request.stageCount()), request.stageRestart());
    boolean judgeHealth = gates.judgeHealth().enabled() && gates.quality().enabled();
    List<Cut> cuts = cuts(dao, request, stageSince);
    Double[] cutMs = cuts.stream().map(Cut::cutMs).toArray(Double[]::new);
    Long track =
        cuts.isEmpty()
            ? null
            : dao.latencyTrack(prompt, canary, stable, stageSince, cutMs)
                .orElseGet(() -> dao.trackLatency(prompt, canary, stable, stageSince, cutMs));
    List<String> metricNames = metricNames(request.gates());
    AnalysisDao.LookRows rows =
        dao.readLook(
            prompt,
            canary,
            stable,
            stageSince,
            judgeHealth ? judge : null,
            track,
            cuts.size(),
            metricNames);

    Scores scores = scores(rows.scores(), judge, canary, stable);
    List<ArmSums> arms = rows.arms();
    List<LatencyCut> latency = latency(request, cuts, rows.latency());
    List<Sums> metricRows = rows.metrics();
    ArmSummary canaryArm =
        arm(find(arms, canary), scores.canary(), metrics(metricRows, metricNames, canary));
    ArmSummary stableArm =
        arm(find(arms, stable), scores.stable(), metrics(metricRows, metricNames, stable));
    AnalysisInput input =
        new AnalysisInput(gates, request.canaryWeightBp(), canaryArm, stableArm, latency);

    JudgeSample sample = null;
    if (judgeHealth) {
      List<FailureCount> failures = rows.failures();
      sample =
          new JudgeSample(
              judge,
              (long) scores.canary().n(),
              failures(failures, canary),
              (long) scores.stable().n(),
              failures(failures, stable),
              scores.otherJudges(),
              scores.canary().units(),
              scores.stable().units());
    }
    return new Look(input, sample);
  }

  /**
   * An unhealthy judge holds the rollout instead of a promotion or a quality regression, which
   * would be decided on biased scores. A broken traffic split and regressions the judge has no part
   * in still stand (a dry-run gate's never decides, nor a notify-only rollout's).
   */
  static Verdict withJudgeHealth(Verdict overall, List<Verdict> gates, Verdict health) {
    if (health.decision() != Decision.JUDGE_UNHEALTHY
        || overall.decision() == Decision.SAMPLE_RATIO_MISMATCH
        || overall.decision() == Decision.REGRESSION
            && gates.stream()
                .anyMatch(
                    v ->
                        v.decision() == Decision.REGRESSION
                            && !v.dryRun()
                            && v.gate() != GateKind.QUALITY)) {
      return overall;
    }
    return new Verdict(
        GateKind.OVERALL,
        Decision.JUDGE_UNHEALTHY,
        overall.canaryN(),
        overall.stableN(),
        health.estimate(),
        health.lower(),
        health.upper(),
        health.threshold(),
        "hold, " + health.reason(),
        null,
        false);
  }

  /** The custom metrics a look summarises: the ones the rollout's gates name, in name order. */
  static List<String> metricNames(GatesConfig gates) {
    return gates.metrics().stream().map(MetricGate::name).distinct().sorted().toList();
  }

  /** One arm's per-unit sums of each named metric; a metric the arm has no value of is empty. */
  private static Map<String, UnitSums> metrics(List<Sums> rows, List<String> names, int version) {
    Map<String, UnitSums> result = new HashMap<>();
    for (String name : names) {
      result.put(name, UnitSums.EMPTY);
    }
    for (Sums row : rows) {
      if (row.version() == version && result.containsKey(row.key())) {
        result.put(row.key(), unitSums(row));
      }
    }
    return result;
  }

  /** The rollout judge's scores per arm, per unit; every other judge's scores are only counted. */
  private static Scores scores(List<Sums> rows, String judge, int canary, int stable) {
    UnitSums c = UnitSums.EMPTY;
    UnitSums b = UnitSums.EMPTY;
    long others = 0;
    for (Sums row : rows) {
      if (judge != null && !judge.equals(row.key())) {
        others += (long) row.n();
      } else if (row.version() == canary) {
        c = c.plus(unitSums(row));
      } else if (row.version() == stable) {
        b = b.plus(unitSums(row));
      }
    }
    return new Scores(c, b, others);
  }

  private static UnitSums unitSums(Sums row) {
    return new UnitSums(row.units(), row.n(), row.s(), row.nn(), row.ss(), row.ns());
  }

  private static long failures(List<FailureCount> rows, int version) {
    return rows.stream()
        .filter(r -> r.version() == version)
        .mapToLong(FailureCount::failures)
        .sum();
  }

  /**
   * Latency against the stage's cuts, frozen per stage so that every look tests the same quantity
   * (a cut re-estimated at every look would move the null under the always-valid bound). The cuts
   * are the baseline's quantiles over its last {@value #CUT_RECENT_REQUESTS} requests served before
   * the stage started; with fewer than {@value #CUT_MINIMUM_REQUESTS} of those, over the stage's
   * own baseline requests at the first look that has as many. Stored per (rollout, stage start,
   * quantile) on first computation; every later look, retry or concurrent look reads the stored
   * cuts.
   */
  private static List<Cut> cuts(AnalysisDao dao, AnalysisRequest request, Instant since) {
    List<Cut> cuts = dao.cuts(request.rolloutId(), since);
    return cuts.isEmpty() ? freezeCuts(dao, request, since) : cuts;
  }

  /**
   * The stage's cuts with the per-unit exceedances read from its latency track ({@code key}: the
   * cut's index).
   */
  private static List<LatencyCut> latency(
      AnalysisRequest request, List<Cut> cuts, List<Sums> above) {
    Map<String, Sums> rows = new HashMap<>();
    for (Sums row : above) {
      rows.put(row.version() + "/" + row.key(), row);
    }
    List<LatencyCut> result = new ArrayList<>();
    for (int i = 0; i < cuts.size(); i++) {
      String key = "/" + (i + 1);
      result.add(
          new LatencyCut(
              cuts.get(i).quantile(),
              cuts.get(i).cutMs(),
              sumsOrEmpty(rows.get(request.candidateVersion() + key)),
              sumsOrEmpty(rows.get(request.baselineVersion() + key))));
    }
    return result;
  }

  private static List<Cut> freezeCuts(AnalysisDao dao, AnalysisRequest request, Instant since) {
    List<Double> quantileList = request.gates().latency().quantiles();
    Double[] quantiles = quantileList.toArray(Double[]::new);
    Quantiles q =
        dao.quantilesBefore(
            request.prompt(), request.baselineVersion(), since, CUT_RECENT_REQUESTS, quantiles);
    String basis = "before_stage";
    if (q.count() < CUT_MINIMUM_REQUESTS) {
      q =
          dao.stageStableQuantiles(
              request.prompt(),
              request.candidateVersion(),
              request.baselineVersion(),
              since,
              quantiles);
      basis = "in_stage";
      if (q.count() < CUT_MINIMUM_REQUESTS) {
        return List.of();
      }
    }
    dao.storeCuts(request.rolloutId(), since, quantiles, q.values(), basis, (int) q.count());
    return dao.cuts(request.rolloutId(), since);
  }

  private static UnitSums sumsOrEmpty(Sums row) {
    return row == null ? UnitSums.EMPTY : unitSums(row);
  }

  private static ArmSummary arm(ArmSums a, UnitSums quality, Map<String, UnitSums> metrics) {
    if (a == null) {
      return new ArmSummary(
          0, 0, quality, UnitSums.EMPTY, UnitSums.EMPTY, UnitSums.EMPTY, UnitSums.EMPTY, metrics);
    }
    return new ArmSummary(
        a.units(),
        (long) a.requests(),
        quality,
        new UnitSums(
            a.requestUnits(),
            a.requests(),
            a.errors(),
            a.requestsSq(),
            a.errorsSq(),
            a.requestsErrors()),
        new UnitSums(
            a.requestUnits(),
            a.requests(),
            a.safety(),
            a.requestsSq(),
            a.safetySq(),
            a.requestsSafety()),
        new UnitSums(a.costUnits(), a.costN(), a.costS(), a.costNn(), a.costSs(), a.costNs()),
        new UnitSums(
            a.feedbackUnits(),
            a.feedbackN(),
            a.feedbackS(),
            a.feedbackNn(),
            a.feedbackSs(),
            a.feedbackNs()),
        metrics);
  }

  private static ArmSums find(List<ArmSums> rows, int version) {
    return rows.stream().filter(r -> r.version() == version).findFirst().orElse(null);
  }
}
