package dev.promptcanary.bench.decision;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.promptcanary.activities.stats.AnalysisInput;
import dev.promptcanary.activities.stats.ArmSummary;
import dev.promptcanary.activities.stats.CanaryAnalysis;
import dev.promptcanary.activities.stats.JudgeHealthCheck;
import dev.promptcanary.activities.stats.JudgeSample;
import dev.promptcanary.activities.stats.LatencyExceedance;
import dev.promptcanary.activities.stats.Moments;
import dev.promptcanary.activities.stats.Proportion;
import dev.promptcanary.bench.Machine;
import dev.promptcanary.bench.Table;
import dev.promptcanary.workflows.domain.ComparisonSettings;
import dev.promptcanary.workflows.domain.CostGate;
import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateMode;
import dev.promptcanary.workflows.domain.GatesConfig;
import dev.promptcanary.workflows.domain.LatencyGate;
import dev.promptcanary.workflows.domain.RateGate;
import dev.promptcanary.workflows.domain.SrmGate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What the judge-health check buys: per scenario, simulated stages in which a judge scores (or
 * fails on) each request of either arm, a look every {@value #LOOK_EVERY} attempts. For each stage
 * it records the first of: a hold by the judge-health check, a promotion (quality non-inferior with
 * {@value #MIN_SCORES} scores per arm), a rollback (quality regression), and separately what the
 * quality gate alone would have done on the same scores. The baseline of the timing row is one look
 * of the quality gate, measured in the same run.
 */
public final class JudgeHealthBench {
  static final int LOOK_EVERY = 20;
  static final int MIN_SCORES = 100;
  static final int HORIZON = 6_000;
  static final double SD = 0.2;

  /**
   * One stage: true mean judge scores per arm, the share of each arm's transcripts that reach the
   * judge, random failure rates, and a score below which the judge fails on the canary's answers (0
   * for none).
   */
  record Scenario(
      String name,
      String description,
      int weightBp,
      double stableMean,
      double canaryMean,
      double canarySampling,
      double stableFail,
      double canaryFail,
      double canaryFailsBelow,
      boolean shouldHold) {}

  enum Ending {
    HOLD,
    PROMOTE,
    ROLLBACK,
    NONE
  }

  record StageResult(Ending withHealth, long attemptsToEnding, Ending qualityAlone) {}

  static List<Scenario> scenarios() {
    return List.of(
        new Scenario(
            "healthy_2pct",
            "judge fails 2% of both arms at random",
            5000,
            0.7,
            0.7,
            1,
            0.02,
            0.02,
            0,
            false),
        new Scenario(
            "at_tolerance",
            "judge fails 10% of both arms (the tolerated share)",
            5000,
            0.7,
            0.7,
            1,
            0.10,
            0.10,
            0,
            false),
        new Scenario(
            "garbage_judge", "judge never returns a score", 5000, 0.7, 0.7, 1, 1.0, 1.0, 0, true),
        new Scenario(
            "canary_fail_30",
            "judge times out on 30% of the canary's answers, 2% of the baseline's",
            5000,
            0.7,
            0.7,
            1,
            0.02,
            0.30,
            0,
            true),
        new Scenario(
            "hidden_drop_010",
            "canary 0.10 worse, judge fails on its answers scoring below 0.6",
            5000,
            0.7,
            0.6,
            1,
            0.02,
            0.02,
            0.6,
            true),
        new Scenario(
            "undersampled_10pct",
            "at 10%, the app sends 60% of the canary's transcripts",
            1000,
            0.7,
            0.7,
            0.6,
            0.0,
            0.0,
            0,
            true),
        new Scenario(
            "real_drop_010",
            "canary 0.10 worse, judge healthy",
            5000,
            0.7,
            0.6,
            1,
            0.02,
            0.02,
            0,
            false));
  }

  public static void main(String[] args) throws Exception {
    int runs = 1_000;
    long seed = 20_261_201L;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--seed" -> seed = Long.parseLong(args[++i]);
        default ->
            throw new IllegalArgumentException(
                "unknown argument " + args[i] + "; usage: [--runs N] [--seed S]");
      }
    }
    GatesConfig gates = qualityOnly(GatesConfig.defaults());
    CanaryAnalysis quality = CanaryAnalysis.of(gates);
    JudgeHealthCheck health = new JudgeHealthCheck(gates.judgeHealth());
    System.out.printf(
        Locale.ROOT,
        "judge-health: %d stages per scenario, seed %d, look every %d judge attempts up to"
            + " %d, promote at %d scores per arm; load %s%n%n",
        runs,
        seed,
        LOOK_EVERY,
        HORIZON,
        MIN_SCORES,
        Machine.load());

    Table table =
        new Table(
            "scenario",
            "expect",
            "held",
            "promoted",
            "rolled back",
            "undecided",
            "median attempts to end",
            "quality alone: promoted",
            "quality alone: rolled back");
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("benchmark", "judge-health");
    json.put("runs", runs);
    for (Scenario scenario : scenarios()) {
      int[] with = new int[Ending.values().length];
      int[] alone = new int[Ending.values().length];
      List<Double> attempts = new ArrayList<>();
      for (int run = 0; run < runs; run++) {
        StageResult r =
            stage(
                scenario,
                quality,
                health,
                new SplittableRandom(seed * 31 + run * 1_000_003L + scenario.name().hashCode()));
        with[r.withHealth().ordinal()]++;
        alone[r.qualityAlone().ordinal()]++;
        if (r.withHealth() != Ending.NONE) {
          attempts.add((double) r.attemptsToEnding());
        }
      }
      double median = attempts.isEmpty() ? Double.NaN : Table.median(attempts);
      table.row(
          scenario.name(),
          scenario.shouldHold() ? "hold" : "no hold",
          pct(with, Ending.HOLD, runs),
          pct(with, Ending.PROMOTE, runs),
          pct(with, Ending.ROLLBACK, runs),
          pct(with, Ending.NONE, runs),
          Double.isNaN(median) ? "-" : Table.fmt(median, 0),
          pct(alone, Ending.PROMOTE, runs),
          pct(alone, Ending.ROLLBACK, runs));
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("held", (double) with[Ending.HOLD.ordinal()] / runs);
      s.put("promoted", (double) with[Ending.PROMOTE.ordinal()] / runs);
      s.put("rolledBack", (double) with[Ending.ROLLBACK.ordinal()] / runs);
      s.put("qualityAlonePromoted", (double) alone[Ending.PROMOTE.ordinal()] / runs);
      s.put("medianAttemptsToEnd", Double.isNaN(median) ? null : median);
      json.put(scenario.name(), s);
    }
    System.out.println(table.render());
    for (Scenario s : scenarios()) {
      System.out.println("  " + s.name() + ": " + s.description());
    }

    double[] micros = timeLooks(quality, health, gates);
    System.out.println();
    System.out.println(
        new Table("per look", "µs", "ratio to the quality look")
            .row("quality gate (baseline)", Table.fmt(micros[0], 2), "1.00x")
            .row(
                "judge-health check",
                Table.fmt(micros[1], 2),
                Table.fmt(micros[1] / micros[0], 2) + "x")
            .render());
    json.put("qualityLookMicros", micros[0]);
    json.put("judgeHealthLookMicros", micros[1]);
    json.put("judgeHealthToQualityRatio", micros[1] / micros[0]);
    System.out.println(new ObjectMapper().writeValueAsString(json));
  }

  private static String pct(int[] counts, Ending ending, int runs) {
    return Table.fmt(100.0 * counts[ending.ordinal()] / runs, 1) + "%";
  }

  static StageResult stage(
      Scenario s, CanaryAnalysis quality, JudgeHealthCheck health, SplittableRandom rng) {
    double w = s.weightBp() / 10_000.0;
    double[] canary = new double[3]; // count, sum, sum of squares of scores
    double[] stable = new double[3];
    long canaryFailed = 0;
    long stableFailed = 0;
    Ending withHealth = null;
    long endedAt = 0;
    Ending alone = null;
    for (int attempt = 1; attempt <= HORIZON && (withHealth == null || alone == null); attempt++) {
      boolean isCanary = rng.nextDouble() < w;
      if (isCanary && rng.nextDouble() >= s.canarySampling()) {
        continue; // the app never sent this transcript
      }
      double score = Samplers.beta(rng, isCanary ? s.canaryMean() : s.stableMean(), SD);
      boolean failed =
          rng.nextDouble() < (isCanary ? s.canaryFail() : s.stableFail())
              || isCanary && score < s.canaryFailsBelow();
      if (failed) {
        if (isCanary) {
          canaryFailed++;
        } else {
          stableFailed++;
        }
      } else {
        double[] arm = isCanary ? canary : stable;
        arm[0]++;
        arm[1] += score;
        arm[2] += score * score;
      }
      if (attempt % LOOK_EVERY != 0) {
        continue;
      }
      Ending q = qualityEnding(quality, s.weightBp(), canary, stable);
      if (alone == null && q != null) {
        alone = q;
      }
      if (withHealth == null) {
        Decision judged =
            health
                .evaluate(
                    s.weightBp(),
                    new JudgeSample(
                        "bench-judge",
                        (long) canary[0],
                        canaryFailed,
                        (long) stable[0],
                        stableFailed,
                        0))
                .decision();
        if (judged == Decision.JUDGE_UNHEALTHY) {
          withHealth = Ending.HOLD;
        } else {
          withHealth = q;
        }
        endedAt = attempt;
      }
    }
    return new StageResult(
        withHealth == null ? Ending.NONE : withHealth,
        endedAt,
        alone == null ? Ending.NONE : alone);
  }

  private static Ending qualityEnding(
      CanaryAnalysis quality, int weightBp, double[] canary, double[] stable) {
    Decision d = quality.decision(input(quality.gates(), weightBp, canary, stable));
    if (d == Decision.REGRESSION) {
      return Ending.ROLLBACK;
    }
    if (d == Decision.NON_INFERIOR && canary[0] >= MIN_SCORES && stable[0] >= MIN_SCORES) {
      return Ending.PROMOTE;
    }
    return null;
  }

  private static AnalysisInput input(
      GatesConfig gates, int weightBp, double[] canary, double[] stable) {
    return new AnalysisInput(
        gates, weightBp, arm(canary), arm(stable), LatencyExceedance.none(0.95));
  }

  private static ArmSummary arm(double[] scores) {
    return ArmSummary.iid(
        (long) scores[0],
        new Moments((long) scores[0], scores[1], scores[2]),
        Proportion.EMPTY,
        Proportion.EMPTY,
        Moments.EMPTY);
  }

  /** Mean µs of one look of each kind over a stage-sized sample, after warming up. */
  private static double[] timeLooks(
      CanaryAnalysis quality, JudgeHealthCheck health, GatesConfig gates) {
    int looks = 200_000;
    double[] canary = {400, 280, 200};
    double[] stable = {3600, 2520, 1800};
    JudgeSample sample = new JudgeSample("bench-judge", 400, 12, 3600, 90, 0);
    long sink = 0;
    for (int warm = 0; warm < 3; warm++) {
      for (int i = 0; i < looks; i++) {
        sink += quality.decision(input(gates, 1000, canary, stable)).ordinal();
        sink += health.evaluate(1000, sample).decision().ordinal();
      }
    }
    long t0 = System.nanoTime();
    for (int i = 0; i < looks; i++) {
      sink += quality.decision(input(gates, 1000, canary, stable)).ordinal();
    }
    long t1 = System.nanoTime();
    for (int i = 0; i < looks; i++) {
      sink += health.evaluate(1000, sample).decision().ordinal();
    }
    long t2 = System.nanoTime();
    if (sink == 42) {
      System.out.print("");
    }
    return new double[] {(t1 - t0) / 1000.0 / looks, (t2 - t1) / 1000.0 / looks};
  }

  /**
   * The rollout's gates with only the judge-dependent one, quality, enabled: the others do not see
   * the judge.
   */
  static GatesConfig qualityOnly(GatesConfig d) {
    RateGate e = d.errorRate();
    RateGate s = d.safety();
    LatencyGate l = d.latency();
    ComparisonSettings c = d.cost().settings();
    return new GatesConfig(
        d.alpha(),
        d.minimumSamples(),
        d.quality(),
        new RateGate(
            false,
            e.alphaShare(),
            e.margin(),
            e.minimumEffect(),
            e.ceiling(),
            e.tau(),
            GateMode.NON_INFERIORITY,
            0,
            0,
            false),
        new RateGate(
            false,
            s.alphaShare(),
            s.margin(),
            s.minimumEffect(),
            s.ceiling(),
            s.tau(),
            GateMode.NON_INFERIORITY,
            0,
            0,
            false),
        new LatencyGate(
            false,
            l.alphaShare(),
            l.quantile(),
            l.margin(),
            l.minimumEffect(),
            l.tau(),
            GateMode.NON_INFERIORITY,
            null,
            null,
            0,
            0,
            false),
        new CostGate(
            new ComparisonSettings(
                false,
                c.alphaShare(),
                c.margin(),
                c.minimumEffect(),
                c.tau(),
                GateMode.NON_INFERIORITY,
                0,
                false)),
        new SrmGate(false, d.sampleRatio().alpha(), d.sampleRatio().relativeTolerance()),
        d.judgeHealth(),
        null,
        null);
  }
}
