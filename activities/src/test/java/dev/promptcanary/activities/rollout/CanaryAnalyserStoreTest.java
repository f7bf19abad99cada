package dev.promptcanary.activities.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.promptcanary.activities.ingest.JudgeFailure;
import dev.promptcanary.activities.ingest.Judgement;
import dev.promptcanary.activities.ingest.Observation;
import dev.promptcanary.activities.ingest.OutcomeMetric;
import dev.promptcanary.activities.stats.ArmSummary;
import dev.promptcanary.activities.stats.LatencyCut;
import dev.promptcanary.activities.stats.UnitSums;
import dev.promptcanary.activities.store.Fixtures;
import dev.promptcanary.activities.store.OutcomeDao;
import dev.promptcanary.activities.store.TestDatabases;
import dev.promptcanary.workflows.domain.GatesConfig;
import dev.promptcanary.workflows.domain.MetricGate;
import dev.promptcanary.workflows.rollout.AnalysisRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleListener;
import org.jdbi.v3.core.Handles;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The per-unit sums a look reads, on real PostgreSQL, against sums worked out by hand. Prompt
 * "chat": v1 the baseline, v2 the candidate; stage 1 starts at S1, stage 2 at S2.
 */
class CanaryAnalyserStoreTest {
  private static final Instant S1 = Instant.parse("2026-03-01T10:00:00Z");
  private static final Instant S2 = S1.plusSeconds(1000);
  private Jdbi jdbi;
  private OutcomeDao outcomes;
  private CanaryAnalyser analyser;

  @BeforeEach
  void setUp() {
    jdbi = TestDatabases.fresh().jdbi();
    Fixtures.twoVersionsOf(jdbi, "chat", "other");
    outcomes = jdbi.onDemand(OutcomeDao.class);
    analyser = new CanaryAnalyser(jdbi);
  }

  private static Observation obs(
      String prompt,
      String id,
      int version,
      String unit,
      Instant at,
      double latency,
      boolean error,
      Double cost,
      Integer feedback) {
    return new Observation(
        id, prompt, version, unit, at, latency, null, null, cost, error, false, feedback);
  }

  private static Observation obs(
      String id,
      int version,
      String unit,
      Instant at,
      double latency,
      boolean error,
      Double cost,
      Integer feedback) {
    return obs("chat", id, version, unit, at, latency, error, cost, feedback);
  }

  private static Judgement score(String id, int version, double score, Instant judgedAt) {
    return new Judgement(id, "chat", version, "j", score, judgedAt);
  }

  private CanaryAnalyser.Look look(Instant since) {
    return look(since, GatesConfig.defaults());
  }

  private CanaryAnalyser.Look look(Instant since, GatesConfig gates) {
    return analyser.look(
        new AnalysisRequest(
            "rollout-chat-2",
            "chat",
            2,
            1,
            5000,
            S1.toEpochMilli(),
            since.toEpochMilli(),
            1,
            gates,
            "j",
            0,
            false));
  }

  private static MetricGate guardrail(String name, MetricGate.Kind kind) {
    return new MetricGate(
        name, kind, MetricGate.Direction.DECREASE, 0.05, 0, 0, null, null, 0, 0, false);
  }

  private static int close(Double x, Double y) {
    return Math.abs(x - y) < 1e-9 ? 0 : Double.compare(x, y);
  }

  private static void assertSums(
      UnitSums actual, long units, double n, double s, double nn, double ss, double ns) {
    assertThat(actual.units()).as("units").isEqualTo(units);
    assertThat(actual.n()).as("n").isCloseTo(n, within(1e-9));
    assertThat(actual.s()).as("s").isCloseTo(s, within(1e-9));
    assertThat(actual.nn()).as("nn").isCloseTo(nn, within(1e-9));
    assertThat(actual.ss()).as("ss").isCloseTo(ss, within(1e-9));
    assertThat(actual.ns()).as("ns").isCloseTo(ns, within(1e-9));
  }

  @Test
  void aStageSumsPerUnitOverTheUnitsFirstExposedInIt() {
    // "old": first served before stage 1, pinned to v1 ever since: in no stage's comparison.
    outcomes.insertObservations(
        List.of(
            obs("old-1", 1, "old", S1.minusSeconds(100), 100, false, 1.0, null),
            obs("old-2", 1, "old", S1.plusSeconds(5), 100, true, 1.0, null)));
    // "s1": exposed in stage 1 on the canary; one more request in stage 2, and a score that arrives
    // in stage 2.
    outcomes.insertObservations(
        List.of(obs("s1-1", 2, "s1", S1.plusSeconds(10), 100, false, 1.0, null)));
    outcomes.insertJudgements(List.of(score("s1-1", 2, 0.3, S2.plusSeconds(100))));
    outcomes.insertObservations(
        List.of(obs("s1-2", 2, "s1", S2.plusSeconds(50), 100, true, 1.0, null)));

    CanaryAnalyser.Look stage1 = look(S1);
    ArmSummary c1 = stage1.input().canary();
    assertThat(c1.units()).isEqualTo(1);
    assertSums(c1.errors(), 1, 2, 1, 4, 1, 2);
    assertSums(c1.quality(), 1, 1, 0.3, 1, 0.09, 0.3);
    assertThat(stage1.input().stable().units()).as("old was exposed before stage 1").isZero();

    // Stage 2. "a" on the canary: three requests (2 errors, costs 1 and 3 and none, feedback 1 and
    // -1).
    outcomes.insertObservations(
        List.of(
            obs("a1", 2, "a", S2.plusSeconds(10), 100, true, 1.0, 1),
            obs("a2", 2, "a", S2.plusSeconds(11), 300, false, 3.0, -1),
            obs("a3", 2, "a", S2.plusSeconds(12), 500, true, null, null)));
    outcomes.insertJudgements(
        List.of(score("a1", 2, 0.6, S2.plusSeconds(70)), score("a2", 2, 0.8, S2.plusSeconds(71))));
    // a request without a unit is its own unit
    outcomes.insertObservations(
        List.of(obs("n1", 2, null, S2.plusSeconds(40), 50, false, 0.5, null)));
    outcomes.insertJudgements(List.of(score("n1", 2, 0.4, S2.plusSeconds(90))));
    // "b" on the baseline; a later request of b on the canary is not its arm's and is left out
    outcomes.insertObservations(
        List.of(
            obs("b1", 1, "b", S2.plusSeconds(20), 200, false, 2.0, null),
            obs("b2", 2, "b", S2.plusSeconds(25), 900, true, 9.0, null)));
    outcomes.insertJudgements(
        List.of(score("b1", 1, 0.5, S2.plusSeconds(80)), score("b2", 2, 0.0, S2.plusSeconds(80))));
    // "c" on the baseline: c1's score arrives before its observation; c2's an hour late
    outcomes.insertJudgements(List.of(score("c1", 1, 0.9, S2.plusSeconds(30))));
    outcomes.insertObservations(
        List.of(
            obs("c1", 1, "c", S2.plusSeconds(30), 100, false, null, null),
            obs("c2", 1, "c", S2.plusSeconds(31), 700, true, null, null)));
    outcomes.insertJudgements(List.of(score("c2", 1, 0.7, S2.plusSeconds(3600))));
    // the old unit keeps coming; the same request ids under another prompt are that prompt's
    outcomes.insertObservations(
        List.of(
            obs("old-3", 1, "old", S2.plusSeconds(60), 100, true, 1.0, null),
            obs("other", "a1", 1, "a", S2.plusSeconds(10), 100, true, 5.0, 1),
            obs("other", "c1", 1, "z", S2.plusSeconds(10), 100, true, 5.0, 1)));
    outcomes.insertJudgements(
        List.of(
            new Judgement("a1", "other", 1, "j", 0.1, S2.plusSeconds(70)),
            new Judgement("c1", "other", 1, "j", 0.1, S2.plusSeconds(70))));

    CanaryAnalyser.Look stage2 = look(S2);
    ArmSummary canary = stage2.input().canary();
    ArmSummary stable = stage2.input().stable();
    // canary units a (3 requests) and n1 (1); s1 belongs to stage 1
    assertThat(canary.units()).isEqualTo(2);
    assertThat(canary.observations()).isEqualTo(4);
    assertSums(canary.errors(), 2, 4, 2, 9 + 1, 4 + 0, 6 + 0);
    assertSums(canary.cost(), 2, 3, 4.5, 4 + 1, 16 + 0.25, 8 + 0.5);
    assertSums(canary.feedback(), 1, 2, 0, 4, 0, 0);
    assertSums(canary.quality(), 2, 3, 1.8, 4 + 1, 1.96 + 0.16, 2.8 + 0.4);
    // baseline units b (b1 only) and c (2 requests, one error)
    assertThat(stable.units()).isEqualTo(2);
    assertThat(stable.observations()).isEqualTo(3);
    assertSums(stable.errors(), 2, 3, 1, 1 + 4, 0 + 1, 0 + 2);
    assertSums(stable.cost(), 1, 1, 2, 1, 4, 2);
    assertSums(stable.quality(), 2, 3, 2.1, 1 + 4, 0.25 + 2.56, 0.5 + 3.2);
    assertThat(stage2.judge().canaryScored()).isEqualTo(3);
    assertThat(stage2.judge().stableScored()).isEqualTo(3);
    assertThat(stage2.judge().otherJudges()).isZero();
  }

  @Test
  void judgeHealthCountsFailuresAndOtherJudgesOfTheStagesUnitsOnly() {
    outcomes.insertObservations(
        List.of(
            obs("e1", 2, "early", S1.plusSeconds(1), 100, false, null, null),
            obs("x1", 2, "x", S2.plusSeconds(1), 100, false, null, null),
            obs("x2", 2, "x", S2.plusSeconds(2), 100, false, null, null),
            obs("y1", 1, "y", S2.plusSeconds(3), 100, false, null, null)));
    // failures judged in stage 2: one for the stage-1 unit (not counted), two for x, one for y (no
    // observation
    // unit needed when the failure names it)
    outcomes.insertJudgeFailure(
        new JudgeFailure("e1", "chat", 2, "j", "timeout", S2.plusSeconds(10)));
    outcomes.insertJudgeFailure(
        new JudgeFailure("x1", "chat", 2, "j", "timeout", S2.plusSeconds(10)));
    outcomes.insertJudgeFailure(
        new JudgeFailure("x2", "chat", 2, "j", "timeout", S2.plusSeconds(10)));
    outcomes.insertJudgeFailure(
        new JudgeFailure("y9", "chat", 1, "j", "timeout", S2.plusSeconds(10), "y", null));
    outcomes.insertJudgements(
        List.of(
            new Judgement("y1", "chat", 1, "other-judge", 0.5, S2.plusSeconds(5)),
            new Judgement("e1", "chat", 2, "other-judge", 0.5, S2.plusSeconds(5))));

    CanaryAnalyser.Look look = look(S2);
    assertThat(look.judge().canaryFailed()).isEqualTo(2);
    assertThat(look.judge().stableFailed()).isEqualTo(1);
    assertThat(look.judge().otherJudges()).isEqualTo(1);
  }

  /** Baseline requests before stage 2, without units, of latencies 1, 2, ..., 300 ms. */
  private void insertStableLatenciesOneTo300BeforeS2() {
    List<Observation> before = new ArrayList<>();
    for (int i = 1; i <= 300; i++) {
      before.add(obs("pre-" + i, 1, null, S2.minusSeconds(1000 - i), i, false, null, null));
    }
    outcomes.insertObservations(before);
  }

  @Test
  void latencyCutsComeFromTheStableBeforeTheStageAndStayFrozen() {
    insertStableLatenciesOneTo300BeforeS2();
    outcomes.insertObservations(
        List.of(
            obs("c1", 2, "cu", S2.plusSeconds(1), 100, false, null, null),
            obs("c2", 2, "cu", S2.plusSeconds(2), 200, false, null, null),
            obs("c3", 2, "cu", S2.plusSeconds(3), 290, false, null, null),
            obs("c4", 2, "cu", S2.plusSeconds(4), 299, false, null, null),
            obs("c5", 2, "cv", S2.plusSeconds(4), 160, false, null, null),
            obs("b1", 1, "bu", S2.plusSeconds(5), 151, false, null, null),
            obs("b2", 1, "bu", S2.plusSeconds(6), 286, false, null, null)));

    List<LatencyCut> cuts = look(S2).input().latency();
    // percentile_cont over 1..300: p50 150.5, p95 285.05, p99 297.01
    assertThat(cuts).extracting(LatencyCut::quantile).containsExactly(0.5, 0.95, 0.99);
    assertThat(cuts)
        .extracting(LatencyCut::cutMs)
        .usingElementComparator(CanaryAnalyserStoreTest::close)
        .containsExactly(150.5, 285.05, 297.01);
    // canary: cu {100, 200, 290, 299}, cv {160}; baseline: bu {151, 286}
    assertSums(cuts.get(0).canaryAbove(), 2, 5, 3 + 1, 16 + 1, 9 + 1, 12 + 1);
    assertSums(cuts.get(0).stableAbove(), 1, 2, 2, 4, 4, 4);
    assertSums(cuts.get(1).canaryAbove(), 2, 5, 2, 17, 4, 8);
    assertSums(cuts.get(1).stableAbove(), 1, 2, 1, 4, 1, 2);
    assertSums(cuts.get(2).canaryAbove(), 2, 5, 1, 17, 1, 4);

    // slower baseline traffic reported later for before the stage does not move the stage's cuts
    List<Observation> late = new ArrayList<>();
    for (int i = 1; i <= 300; i++) {
      late.add(obs("late-" + i, 1, null, S2.minusSeconds(10), 10_000, false, null, null));
    }
    outcomes.insertObservations(late);
    assertThat(look(S2).input().latency())
        .extracting(LatencyCut::cutMs)
        .usingElementComparator(CanaryAnalyserStoreTest::close)
        .containsExactly(150.5, 285.05, 297.01);
    String basis =
        jdbi.withHandle(
            h ->
                h.select("SELECT DISTINCT basis || ':' || sample_size FROM latency_cuts")
                    .mapTo(String.class)
                    .one());
    assertThat(basis).isEqualTo("before_stage:300");
  }

  @Test
  void aLookRunsAllItsStoreCallsOnOneHandle() {
    insertStableLatenciesOneTo300BeforeS2();
    outcomes.insertObservations(
        List.of(
            obs("c1", 2, "cu", S2.plusSeconds(1), 100, false, null, null),
            obs("b1", 1, "bu", S2.plusSeconds(5), 151, false, null, null)));
    AtomicInteger opened = new AtomicInteger();
    jdbi.getConfig(Handles.class)
        .addListener(
            new HandleListener() {
              @Override
              public void handleCreated(Handle handle) {
                opened.incrementAndGet();
              }
            });

    // the first look of the stage makes the most calls: the cuts (read, computed, stored, read
    // again), the latency track (looked up, created) and the look's reads
    assertThat(look(S2).input().latency()).hasSize(3);
    assertThat(opened).as("handles opened by the first look").hasValue(1);
    assertThat(look(S2).input().latency()).hasSize(3);
    assertThat(opened).as("handles opened by two looks").hasValue(2);
  }

  @Test
  void withoutEnoughStableBeforeTheStageTheCutsWaitForTheStagesOwn() {
    List<Observation> stage = new ArrayList<>();
    for (int i = 1; i <= 199; i++) {
      stage.add(obs("s-" + i, 1, "u" + (i % 50), S2.plusSeconds(i), i, false, null, null));
    }
    outcomes.insertObservations(stage);
    assertThat(look(S2).input().latency()).as("199 stable latencies: no cut yet").isEmpty();

    outcomes.insertObservations(
        List.of(obs("s-200", 1, "u0", S2.plusSeconds(200), 200, false, null, null)));
    assertThat(look(S2).input().latency())
        .extracting(LatencyCut::cutMs)
        .usingElementComparator(CanaryAnalyserStoreTest::close)
        .containsExactly(100.5, 190.05, 198.01);
    outcomes.insertObservations(
        List.of(obs("s-201", 1, "u0", S2.plusSeconds(201), 5000, false, null, null)));
    assertThat(look(S2).input().latency())
        .extracting(LatencyCut::cutMs)
        .usingElementComparator(CanaryAnalyserStoreTest::close)
        .containsExactly(100.5, 190.05, 198.01);
  }

  private static OutcomeMetric metric(
      int version, String unit, String requestId, String name, double value) {
    return new OutcomeMetric("chat", version, unit, requestId, name, value, S2.plusSeconds(500));
  }

  @Test
  void customMetricsAreSummedPerUnitByName() {
    outcomes.insertObservations(
        List.of(
            obs("p1", 2, "p", S2.plusSeconds(1), 100, false, null, null),
            obs("p2", 2, "p", S2.plusSeconds(2), 100, false, null, null),
            obs("q1", 2, "q", S2.plusSeconds(3), 100, false, null, null),
            obs("r1", 1, "r", S2.plusSeconds(4), 100, false, null, null),
            obs("old1", 1, "old", S1.plusSeconds(4), 100, false, null, null)));
    var stored =
        outcomes.insertMetrics(
            List.of(
                metric(2, "p", "p1", "resolved", 1),
                metric(2, "p", "p2", "resolved", 0),
                metric(2, "p", null, "csat", 4),
                metric(2, "q", "q1", "resolved", 1),
                metric(2, "q", null, "csat", 2),
                metric(1, "r", null, "csat", 5),
                metric(1, "old", null, "csat", 1), // exposed in an earlier stage
                metric(1, "p", null, "resolved", 1))); // p's value on a version that is not its arm
    assertThat(stored.accepted()).isEqualTo(8);
    assertThat(outcomes.insertMetrics(List.of(metric(2, "p", "p1", "resolved", 1))).duplicates())
        .isEqualTo(1);

    // Only the metrics the rollout gates on are summed: "ignored" is reported but not declared.
    outcomes.insertMetrics(List.of(metric(2, "q", "q1", "ignored", 1)));
    GatesConfig gates =
        GatesConfig.defaults()
            .withMetrics(
                List.of(
                    guardrail("resolved", MetricGate.Kind.PROPORTION),
                    guardrail("csat", MetricGate.Kind.MEAN)));
    CanaryAnalyser.Look look = look(S2, gates);
    ArmSummary canary = look.input().canary();
    ArmSummary stable = look.input().stable();
    assertThat(canary.metrics().keySet()).containsExactlyInAnyOrder("csat", "resolved");
    // resolved: p {1, 0}, q {1}
    assertSums(canary.metrics().get("resolved"), 2, 3, 2, 4 + 1, 1 + 1, 2 + 1);
    // csat per session: p 4, q 2
    assertSums(canary.metrics().get("csat"), 2, 2, 6, 2, 20, 6);
    assertSums(stable.metrics().get("csat"), 1, 1, 5, 1, 25, 5);
    assertThat(stable.metrics().get("resolved")).isEqualTo(UnitSums.EMPTY);
  }
}
