package dev.promptcanary.bench.decision;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.promptcanary.activities.stats.CanaryAnalysis;
import dev.promptcanary.activities.stats.JudgeHealthCheck;
import dev.promptcanary.activities.stats.SamplePlanner;
import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.domain.GatesConfig;
import dev.promptcanary.workflows.domain.QualityGate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Decision-quality benchmark (issues 4 and 10): simulates rollouts in every scenario. One request
 * per session: the engine against the seed rule and a fixed-horizon t-test on the same data.
 * Clustered sessions (issue 10): the engine, fed per-unit sums, on simulated time with several
 * stages, late judge scores and the judge-health check. Prints the tables, the targets with PASS or
 * MISS, then one JSON object as the last line.
 *
 * <p>Usage: {@code bench/decision-quality/run [--runs N] [--seed S] [--only a,b,...] [--quality-tau
 * T]}
 */
public final class DecisionQualityBench {
  static final String[] METHODS = {"engine", "seed_rule", "fixed_t_test"};
  private static final double PLAN_EFFECT = 0.05;
  static final int DEFAULT_RUNS = 2_000;

  private DecisionQualityBench() {}

  public static void main(String[] args) throws Exception {
    int runs = DEFAULT_RUNS;
    long seed = 20_240_601L;
    Set<String> only = null;
    double qualityTau = 0;
    boolean plannerOnly = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--seed" -> seed = Long.parseLong(args[++i]);
        case "--only" -> only = Set.of(args[++i].split(","));
        case "--quality-tau" -> qualityTau = Double.parseDouble(args[++i]);
        case "--planner-only" -> plannerOnly = true;
        default ->
            throw new IllegalArgumentException(
                "unknown argument "
                    + args[i]
                    + "; usage: [--runs N] [--seed S] [--only a,b] [--quality-tau T]"
                    + " [--planner-only]");
      }
    }
    GatesConfig gates = withQualityTau(GatesConfig.defaults(), qualityTau);
    if (plannerOnly) {
      printPlanner(gates, only);
      return;
    }
    CanaryAnalysis engine = CanaryAnalysis.of(gates);
    System.out.printf(
        Locale.ROOT,
        "decision-quality: %d runs per scenario, seed %d, %d cores, engine ="
            + " GatesConfig.defaults()%s%n",
        runs,
        seed,
        Runtime.getRuntime().availableProcessors(),
        qualityTau > 0 ? " with quality tau " + qualityTau : "");
    System.out.println(
        "seed rule: roll back once n >= 30 per arm and mean drop > 0.05, else promote at the"
            + " planned n; t-test: two-sided Welch at 5% at the planned n (90% power for 0.05)");
    System.out.println();
    System.out.println(header());
    Map<String, Object> scenariosJson = new LinkedHashMap<>();
    StringBuilder md = new StringBuilder();
    StringBuilder mdScenarios =
        new StringBuilder(
            "| scenario | truth | horizon | planned n | seconds | description |\n|---|---|---|---|---|---|\n");
    md.append(
        "| scenario | method | rollback | promote | SRM | held | false RB | missed | false promo |"
            + " median n | p90 n | mean n to RB | mean n used |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    Map<String, Map<String, MethodStats>> all = new LinkedHashMap<>();
    List<PlannerCheck.Row> planner = new ArrayList<>();
    long started = System.nanoTime();
    for (Scenario s : Scenarios.all()) {
      if (only != null && !only.contains(s.name())) {
        continue;
      }
      long t0 = System.nanoTime();
      int plannedN =
          (int)
              Math.min(
                  s.horizon(),
                  SamplePlanner.fixedHorizonCanarySamples(
                      PLAN_EFFECT, s.stable().scores().sd(), 0.05, 0.9, s.weightBasisPoints()));
      final long baseSeed = seed;
      Outcome[][] outcomes =
          IntStream.range(0, runs)
              .parallel()
              .mapToObj(
                  run ->
                      Rollout.simulate(s, engine, plannedN, Samplers.seed(baseSeed, s.name(), run)))
              .toArray(Outcome[][]::new);
      double seconds = (System.nanoTime() - t0) / 1e9;
      Map<String, MethodStats> stats = new LinkedHashMap<>();
      Map<String, Object> methodsJson = new LinkedHashMap<>();
      for (int m = 0; m < METHODS.length; m++) {
        Outcome[] column = new Outcome[runs];
        for (int r = 0; r < runs; r++) {
          column[r] = outcomes[r][m];
        }
        MethodStats ms = new MethodStats(s.truth(), column);
        stats.put(METHODS[m], ms);
        methodsJson.put(METHODS[m], ms.json());
        System.out.println(row(s, METHODS[m], ms, m == 0 ? plannedN : -1, m == 0 ? seconds : -1));
        md.append(markdownRow(s.name(), METHODS[m], ms));
      }
      all.put(s.name(), stats);
      if (s.truth() == Truth.NO_REGRESSION && s.name().startsWith("aa_sd02")
          || s.name().equals("split_5_95")) {
        var need = PlannerCheck.slowest(gates, s.weightBasisPoints(), PlannerCheck.iid(s));
        MethodStats e = stats.get("engine");
        if (need != null && e.promoteSamples.length > 0) {
          planner.add(
              new PlannerCheck.Row(
                  s.name(), need.gate(), need.canarySamples(), PlannerCheck.medianToPromote(e)));
        }
      }
      mdScenarios.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %d | %d | %.1f | %s |%n",
              s.name(),
              s.truth(),
              s.horizon(),
              plannedN,
              seconds,
              s.description()));
      Map<String, Object> sj = new LinkedHashMap<>();
      sj.put("description", s.description());
      sj.put("truth", s.truth().name());
      sj.put("horizon", s.horizon());
      sj.put("planned_n", plannedN);
      sj.put("seconds", round(seconds));
      sj.put("methods", methodsJson);
      scenariosJson.put(s.name(), sj);
    }
    System.out.println();
    System.out.println(ClusterReport.header());
    md.append("\n").append(ClusterReport.markdownHeader());
    Map<String, MethodStats> clustered = new LinkedHashMap<>();
    Map<String, Double> latencyAlphas = new LinkedHashMap<>();
    for (ClusterScenario s : ClusterScenarios.all()) {
      if (only != null && !only.contains(s.name())) {
        continue;
      }
      long t0 = System.nanoTime();
      GatesConfig g =
          GateVariants.perStage(
              GateVariants.withResolvedMetric(s.gates().apply(gates)), s.stageWeightsBp().length);
      CanaryAnalysis stageEngine = CanaryAnalysis.of(g);
      JudgeHealthCheck health =
          g.judgeHealth().enabled() ? new JudgeHealthCheck(g.judgeHealth()) : null;
      final long baseSeed = seed;
      Outcome[] outcomes =
          IntStream.range(0, runs)
              .parallel()
              .mapToObj(
                  run ->
                      SessionRollout.simulate(
                          s, stageEngine, health, Samplers.seed(baseSeed, s.name(), run)))
              .toArray(Outcome[]::new);
      double seconds = (System.nanoTime() - t0) / 1e9;
      MethodStats ms = new MethodStats(s.truth(), outcomes);
      clustered.put(s.name(), ms);
      double latencyAlpha = CanaryAnalysis.gateAlphas(g).getOrDefault(GateKind.LATENCY, 0.0);
      latencyAlphas.put(s.name(), latencyAlpha);
      if (s.truth() == Truth.NO_REGRESSION
          && s.stageWeightsBp().length == 1
          && s.traffic().judgeDelayMaxSeconds() == 0
          && ms.promoteSamples.length > 0) {
        var need = PlannerCheck.slowest(g, s.stageWeightsBp()[0], PlannerCheck.clustered(s));
        if (need != null) {
          planner.add(
              new PlannerCheck.Row(
                  s.name(), need.gate(), need.canarySamples(), PlannerCheck.medianToPromote(ms)));
        }
      }
      System.out.println(ClusterReport.row(s, ms, seconds));
      md.append(ClusterReport.markdownRow(s, ms, seconds));
      mdScenarios.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %d per stage | – | %.1f | %s |%n",
              s.name(),
              s.truth(),
              s.horizon(),
              seconds,
              s.description()));
      Map<String, Object> sj = new LinkedHashMap<>();
      sj.put("description", s.description());
      sj.put("truth", s.truth().name());
      sj.put("clustered", true);
      sj.put("stage_weights_bp", s.stageWeightsBp());
      sj.put("horizon_per_stage", s.horizon());
      sj.put("latency_gate_alpha", latencyAlpha);
      sj.put("seconds", round(seconds));
      Map<String, Object> m = ms.json();
      m.put("rollback_by_gate", ClusterReport.byGate(ms));
      sj.put("methods", Map.of("engine", m));
      scenariosJson.put(s.name(), sj);
    }
    double totalSeconds = (System.nanoTime() - started) / 1e9;
    System.out.println();
    Map<String, Object> json = new LinkedHashMap<>();
    json.putAll(headlines(all));
    json.putAll(Targets.clusteredHeadlines(all, clustered));
    json.put("latency_narrow_alpha", latencyAlphas.get("cl_latency_narrow"));
    System.out.println(
        "planner (SamplePlanner.medianCanarySamples, every gate) vs simulated median canary requests to"
            + " promote, single-stage A/A:");
    Map<String, Object> plannerJson = new LinkedHashMap<>();
    double worstRatio = Double.NaN;
    for (PlannerCheck.Row r : planner) {
      System.out.println(r.text());
      plannerJson.put(r.scenario(), r.json());
      // a median that is not reached (fewer than half promoted) counts as a miss
      double off = Double.isFinite(r.ratio()) ? Math.max(r.ratio(), 1 / r.ratio()) : 1e9;
      worstRatio = Double.isNaN(worstRatio) ? off : Math.max(worstRatio, off);
    }
    System.out.println();
    json.put("planner_worst_factor", MethodStats.nullIfNaN(worstRatio));
    json.put("planner", plannerJson);
    List<Targets.Check> checks = Targets.checks(json, all, clustered);
    System.out.println(Targets.table(checks));
    md.append("\n").append(Targets.markdown(checks));
    java.nio.file.Path mdFile = java.nio.file.Path.of("bench/target/decision-quality.md");
    if (java.nio.file.Files.isDirectory(mdFile.getParent())) {
      java.nio.file.Files.writeString(mdFile, mdScenarios + "\n" + md);
      System.out.println("markdown tables: " + mdFile);
    }
    System.out.println();
    json.put("runs_per_scenario", runs);
    json.put("seed", seed);
    json.put("seconds", round(totalSeconds));
    json.put("targets", Targets.json(checks));
    json.put("scenarios", scenariosJson);
    for (Map.Entry<String, Object> e : json.entrySet()) {
      if (!(e.getValue() instanceof Map) && !(e.getValue() instanceof List)) {
        System.out.println("  " + e.getKey() + " = " + e.getValue());
      }
    }
    System.out.println(new ObjectMapper().writeValueAsString(json));
  }

  /** Lets the benchmark try another mixing scale for the quality gate (0 keeps it tuned). */
  /**
   * {@code --planner-only}: the planner's figures for every single-stage A/A (deterministic, no
   * simulation), with and without the stage windows, to set beside a run's simulated medians (the
   * runs are seeded per scenario and run, so a run with {@code --only} repeats a full run's rows).
   */
  private static void printPlanner(GatesConfig gates, Set<String> only) {
    System.out.println(
        "planner only: SamplePlanner.medianCanarySamples per single-stage A/A, with the stage"
            + " windows (partial sessions) and without (complete sessions)");
    for (Scenario s : Scenarios.all()) {
      if ((only == null || only.contains(s.name()))
          && (s.name().equals("aa_sd02") || s.name().equals("split_5_95"))) {
        var need = PlannerCheck.slowest(gates, s.weightBasisPoints(), PlannerCheck.iid(s));
        System.out.printf(
            Locale.ROOT, "  %-18s %-14s %7d%n", s.name(), need.gate(), need.canarySamples());
      }
    }
    for (ClusterScenario s : ClusterScenarios.all()) {
      if ((only == null || only.contains(s.name()))
          && s.truth() == Truth.NO_REGRESSION
          && s.stageWeightsBp().length == 1
          && s.traffic().judgeDelayMaxSeconds() == 0) {
        GatesConfig g =
            GateVariants.perStage(GateVariants.withResolvedMetric(s.gates().apply(gates)), 1);
        var profile = PlannerCheck.clustered(s);
        var with = PlannerCheck.slowest(g, s.stageWeightsBp()[0], profile);
        var without =
            PlannerCheck.slowest(g, s.stageWeightsBp()[0], profile.withWindows(List.of()));
        System.out.printf(
            Locale.ROOT,
            "  %-18s %-14s %7d  (complete sessions: %s %d; design effect %.2f, at the median's"
                + " %.1f min %.2f)%n",
            s.name(),
            with.gate(),
            with.canarySamples(),
            without.gate(),
            without.canarySamples(),
            profile.designEffect(),
            60 * SamplePlanner.hoursFor(with.canarySamples(), s.stageWeightsBp()[0], profile),
            profile.designEffectAt(
                SamplePlanner.hoursFor(with.canarySamples(), s.stageWeightsBp()[0], profile)));
        System.out.println(
            "      each gate alone: " + SamplePlanner.gateNeeds(g, s.stageWeightsBp()[0], profile));
      }
    }
  }

  static GatesConfig withQualityTau(GatesConfig g, double tau) {
    if (!(tau > 0)) {
      return g;
    }
    QualityGate q = g.quality();
    return new GatesConfig(
        g.alpha(),
        g.minimumSamples(),
        new QualityGate(q.enabled(), q.alphaShare(), q.margin(), q.minimumEffect(), tau, false),
        g.errorRate(),
        g.safety(),
        g.latency(),
        g.cost(),
        g.sampleRatio(),
        g.judgeHealth(),
        null,
        null);
  }

  /** The headline figures issue 4 asks for; null where the scenario was not run. */
  static Map<String, Object> headlines(Map<String, Map<String, MethodStats>> all) {
    double worstEngine = Double.NaN;
    double worstSeed = Double.NaN;
    for (Map.Entry<String, Map<String, MethodStats>> e : all.entrySet()) {
      MethodStats engine = e.getValue().get("engine");
      if (engine.truth == Truth.NO_REGRESSION) {
        worstEngine = max(worstEngine, engine.falseRollback());
        worstSeed = max(worstSeed, e.getValue().get("seed_rule").falseRollback());
      }
    }
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("aa_false_rollback", MethodStats.nullIfNaN(worstEngine));
    MethodStats drop5 = engineOf(all, "drop_005");
    MethodStats drop10 = engineOf(all, "drop_010");
    MethodStats srm = engineOf(all, "srm_2pt");
    h.put("power_drop_005", drop5 == null ? null : drop5.share(Action.ROLLBACK));
    h.put(
        "mean_samples_drop_005",
        drop5 == null ? null : MethodStats.nullIfNaN(MethodStats.mean(drop5.rollbackSamples)));
    h.put(
        "median_samples_drop_010",
        drop10 == null
            ? null
            : MethodStats.nullIfNaN(MethodStats.quantile(drop10.rollbackSamples, 0.5)));
    h.put("seed_rule_aa_false_rollback", MethodStats.nullIfNaN(worstSeed));
    h.put("srm_blocked_share", srm == null ? null : srm.share(Action.BLOCKED));
    h.put("srm_promoted_share", srm == null ? null : srm.share(Action.PROMOTE));
    MethodStats error2 = engineOf(all, "error_x2");
    h.put("error_x2_power", error2 == null ? null : error2.share(Action.ROLLBACK));
    h.put(
        "error_x2_median_samples",
        error2 == null
            ? null
            : MethodStats.nullIfNaN(MethodStats.quantile(error2.rollbackSamples, 0.5)));
    return h;
  }

  private static MethodStats engineOf(Map<String, Map<String, MethodStats>> all, String scenario) {
    Map<String, MethodStats> m = all.get(scenario);
    return m == null ? null : m.get("engine");
  }

  private static double max(double a, double b) {
    return Double.isNaN(a) ? b : Math.max(a, b);
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }

  private static String header() {
    return String.format(
        Locale.ROOT,
        "%-15s %-12s %7s %7s %7s %7s %8s %8s %8s %7s %7s %8s %8s %6s %7s",
        "scenario",
        "method",
        "rollbk",
        "promote",
        "srm",
        "held",
        "falseRB",
        "missed",
        "falsePro",
        "med n",
        "p90 n",
        "mean nRB",
        "mean n",
        "plan n",
        "secs");
  }

  private static String row(
      Scenario s, String method, MethodStats m, int plannedN, double seconds) {
    return String.format(
        Locale.ROOT,
        "%-15s %-12s %7.4f %7.4f %7.4f %7.4f %8s %8s %8s %7s %7s %8s %8.0f %6s %7s",
        s.name(),
        method,
        m.share(Action.ROLLBACK),
        m.share(Action.PROMOTE),
        m.share(Action.BLOCKED),
        m.share(Action.HELD),
        pct(m.falseRollback()),
        pct(m.missedRegression()),
        pct(m.falsePromotion()),
        num(MethodStats.quantile(m.decidedSamples, 0.5)),
        num(MethodStats.quantile(m.decidedSamples, 0.9)),
        num(MethodStats.mean(m.rollbackSamples)),
        m.meanSamplesUsed,
        plannedN < 0 ? "" : Integer.toString(plannedN),
        seconds < 0 ? "" : String.format(Locale.ROOT, "%.1f", seconds));
  }

  private static String markdownRow(String scenario, String method, MethodStats m) {
    return String.format(
        Locale.ROOT,
        "| %s | %s | %.4f | %.4f | %.4f | %.4f | %s | %s | %s | %s | %s | %s | %.0f |%n",
        scenario,
        method,
        m.share(Action.ROLLBACK),
        m.share(Action.PROMOTE),
        m.share(Action.BLOCKED),
        m.share(Action.HELD),
        dash(pct(m.falseRollback())),
        dash(pct(m.missedRegression())),
        dash(pct(m.falsePromotion())),
        dash(num(MethodStats.quantile(m.decidedSamples, 0.5))),
        dash(num(MethodStats.quantile(m.decidedSamples, 0.9))),
        dash(num(MethodStats.mean(m.rollbackSamples))),
        m.meanSamplesUsed);
  }

  static String dash(String s) {
    return s.equals("-") ? "–" : s;
  }

  private static String pct(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
  }

  private static String num(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.0f", v);
  }

  static List<String> methods() {
    return new ArrayList<>(List.of(METHODS));
  }
}
