package dev.promptcanary.activities.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.promptcanary.activities.ingest.JudgeFailure;
import dev.promptcanary.activities.ingest.Judgement;
import dev.promptcanary.activities.ingest.Observation;
import dev.promptcanary.activities.ingest.OutcomeMetric;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The per-unit aggregates kept at ingest (V7) against a recomputation from the raw rows, and every
 * look query on them against the same query on the raw rows as it was before V7 ({@link
 * RawAnalysisDao}), after batches that are retried, sent concurrently from several connections, and
 * arrive in any order (scores before their observations, late scores, a latency track created while
 * batches are being stored).
 */
class UnitAggregatesTest {
  private static final Instant S1 = Instant.parse("2026-03-01T10:00:00Z");
  private static final Instant S2 = S1.plusSeconds(600);
  private static final Double[] CUTS = {150.0, 400.0, 700.5};
  private Jdbi jdbi;
  private OutcomeDao outcomes;
  private AnalysisDao analysis;
  private RawAnalysisDao raw;

  @BeforeEach
  void setUp() {
    jdbi = TestDatabases.fresh().jdbi();
    Fixtures.twoVersionsOf(jdbi, "chat", "other");
    outcomes = jdbi.onDemand(OutcomeDao.class);
    analysis = jdbi.onDemand(AnalysisDao.class);
    raw = jdbi.onDemand(RawAnalysisDao.class);
  }

  /**
   * Sessions of 1-8 requests around both stage starts, on either arm, with scores, failures and
   * metrics.
   */
  private static List<Runnable> traffic(OutcomeDao dao, Random random) {
    List<Runnable> calls = new ArrayList<>();
    List<Observation> observations = new ArrayList<>();
    List<Judgement> judgements = new ArrayList<>();
    List<OutcomeMetric> metrics = new ArrayList<>();
    List<JudgeFailure> failures = new ArrayList<>();
    for (int u = 0; u < 80; u++) {
      String unit = u % 13 == 0 ? null : "u" + u;
      int version = 1 + random.nextInt(2);
      Instant start = S1.minusSeconds(100).plusSeconds(random.nextInt(1200));
      int requests = 1 + random.nextInt(8);
      for (int r = 0; r < requests; r++) {
        String id = "u" + u + "-r" + r;
        String prompt = random.nextInt(10) == 0 ? "other" : "chat";
        int v =
            random.nextInt(12) == 0
                ? 3 - version
                : version; // now and then served the other version
        Instant at = start.plusSeconds(r * 7L);
        Double cost = random.nextInt(5) == 0 ? null : Math.round(random.nextDouble() * 1e6) / 1e9;
        Integer feedback = random.nextInt(4) == 0 ? random.nextInt(3) - 1 : null;
        observations.add(
            new Observation(
                id,
                prompt,
                v,
                unit,
                at,
                Math.round(random.nextDouble() * 9000) / 10.0,
                null,
                null,
                cost,
                random.nextInt(8) == 0,
                random.nextInt(20) == 0,
                feedback));
        for (String judge : List.of("j", "k")) {
          int roll = random.nextInt(10);
          Instant judged = at.plusSeconds(1 + random.nextInt(7200));
          double score = Math.round(random.nextDouble() * 1000) / 1000.0;
          if (roll < 5) {
            judgements.add(
                new Judgement(id, prompt, v, judge, score, judged)); // unit from the observation
          } else if (roll < 7 && unit != null) {
            judgements.add(
                new Judgement(id, prompt, v, judge, score, judged, unit, at)); // names its unit
          } else if (roll < 8) {
            failures.add(new JudgeFailure(id, prompt, v, judge, "timeout", judged));
          }
        }
        if (unit != null && random.nextInt(3) == 0) {
          metrics.add(
              new OutcomeMetric(
                  prompt, v, unit, id, "resolved", (double) random.nextInt(2), at.plusSeconds(60)));
        }
      }
      if (unit != null && random.nextInt(2) == 0) {
        metrics.add(
            new OutcomeMetric(
                "chat", version, unit, null, "csat", (double) (1 + random.nextInt(5)), start));
      }
    }
    Collections.shuffle(observations, random);
    Collections.shuffle(judgements, random);
    for (int i = 0; i < observations.size(); i += 17) {
      List<Observation> batch =
          List.copyOf(observations.subList(i, Math.min(observations.size(), i + 17)));
      calls.add(() -> dao.insertObservations(batch));
    }
    for (int i = 0; i < judgements.size(); i += 13) {
      List<Judgement> batch =
          List.copyOf(judgements.subList(i, Math.min(judgements.size(), i + 13)));
      calls.add(() -> dao.insertJudgements(batch));
    }
    for (int i = 0; i < metrics.size(); i += 11) {
      List<OutcomeMetric> batch = List.copyOf(metrics.subList(i, Math.min(metrics.size(), i + 11)));
      calls.add(() -> dao.insertMetrics(batch));
    }
    for (JudgeFailure f : failures) {
      calls.add(() -> dao.insertJudgeFailure(f));
    }
    // every call is retried once, somewhere else in the order
    List<Runnable> all = new ArrayList<>(calls);
    all.addAll(calls);
    Collections.shuffle(all, random);
    return all;
  }

  @Test
  void retriedAndConcurrentBatchesAddUpToTheRawRowsAndEveryLookQueryAgrees() throws Exception {
    List<Runnable> calls = traffic(outcomes, new Random(7));
    AtomicInteger next = new AtomicInteger();
    AtomicBoolean done = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(5);
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        work.add(
            pool.submit(
                () -> {
                  for (int i = next.getAndIncrement();
                      i < calls.size();
                      i = next.getAndIncrement()) {
                    calls.get(i).run();
                  }
                }));
      }
      // a look that creates the stage's latency track (and backfills it) while batches are being
      // stored
      Future<?> looks =
          pool.submit(
              () -> {
                while (!done.get() && next.get() < calls.size() / 3) {
                  Thread.onSpinWait();
                }
                analysis.latencyAbove("chat", 2, 1, S2, CUTS);
              });
      for (Future<?> f : work) {
        f.get(120, TimeUnit.SECONDS);
      }
      done.set(true);
      looks.get(120, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }

    assertAggregatesMatchTheRawRows();
    // stage starts on a minute (all from the totals) and inside one (its first minute per unit)
    for (Instant since : List.of(S1, S2, S1.plusMillis(17_250), S2.minusMillis(23_125))) {
      assertLookMatchesTheRawRows(since);
    }
    // a score that raced its observation keeps no unit (the look reads it from the raw rows); the
    // observation's
    // next retry attributes it: after one more retry of every batch no score with an observation
    // lacks its unit
    for (Runnable call : calls) {
      call.run();
    }
    int unattributed =
        jdbi.withHandle(
            h ->
                h.select(
                        "SELECT count(*) FROM judgements j JOIN observations o"
                            + " ON o.prompt = j.prompt AND o.request_id = j.request_id WHERE j.unit IS NULL")
                    .mapTo(Integer.class)
                    .one());
    assertThat(unattributed).isZero();
    assertAggregatesMatchTheRawRows();
    assertLookMatchesTheRawRows(S2);
  }

  @Test
  void aTrackCreatedWhileABatchIsOpenWaitsForItAndCountsItOnce() throws Exception {
    outcomes.insertObservations(List.of(obs("x0", 1, "x", S2.plusSeconds(1), 500)));
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (Handle batch = jdbi.open()) {
      batch.begin();
      batch
          .attach(OutcomeDao.class)
          .insertObservations(
              List.of(
                  obs("x1", 1, "x", S2.plusSeconds(2), 600),
                  obs("y1", 2, "y", S2.plusSeconds(3), 100)));
      Future<?> look = pool.submit(() -> analysis.latencyAbove("chat", 2, 1, S2, CUTS));
      await()
          .during(Duration.ofMillis(500))
          .atMost(Duration.ofSeconds(5))
          .until(() -> !look.isDone());
      batch.commit();
      look.get(30, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    assertLookMatchesTheRawRows(S2);
    assertAggregatesMatchTheRawRows();
  }

  @Test
  void aBatchStoredWhileATrackIsBeingCreatedWaitsForItAndCountsOnItOnce() throws Exception {
    outcomes.insertObservations(List.of(obs("x0", 1, "x", S2.plusSeconds(1), 500)));
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (Handle look = jdbi.open()) {
      look.begin();
      look.attach(AnalysisDao.class).trackLatency("chat", 2, 1, S2, CUTS);
      Future<?> batch =
          pool.submit(
              () ->
                  outcomes.insertObservations(
                      List.of(
                          obs("x1", 1, "x", S2.plusSeconds(2), 600),
                          obs("y1", 2, "y", S2.plusSeconds(3), 100))));
      await()
          .during(Duration.ofMillis(500))
          .atMost(Duration.ofSeconds(5))
          .until(() -> !batch.isDone());
      look.commit();
      batch.get(30, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    assertLookMatchesTheRawRows(S2);
    assertAggregatesMatchTheRawRows();
  }

  @Test
  void aLateScoreAScoreBeforeItsObservationAndARacedOneEachCountOnce() {
    outcomes.insertObservations(
        List.of(
            obs("a1", 2, "a", S2.plusSeconds(1), 100), obs("b1", 1, "b", S2.plusSeconds(2), 300)));
    outcomes.insertJudgements(
        List.of(new Judgement("c1", "chat", 1, "j", 0.25, S2.plusSeconds(3)))); // before c1
    assertLookMatchesTheRawRows(S2);

    // a score two hours late adds to its unit's row; c1's observation gives c1's score its unit
    outcomes.insertJudgements(
        List.of(new Judgement("a1", "chat", 2, "j", 0.75, S2.plusSeconds(7200))));
    outcomes.insertObservations(List.of(obs("c1", 1, "c", S2.plusSeconds(4), 200)));
    assertThat(judgeSums("a", 2)).isEqualTo("1:0.750");
    assertThat(judgeSums("c", 1)).isEqualTo("1:0.250");
    assertLookMatchesTheRawRows(S2);

    // a score that raced its observation (each committed unseen by the other) has no unit and no
    // aggregate: the look
    // still counts it, once; the observation's retried batch attributes it, and it is still counted
    // once
    jdbi.useHandle(
        h ->
            h.execute(
                "INSERT INTO judgements (request_id, judge, prompt, version, score, judged_at)"
                    + " VALUES ('b1', 'j', 'chat', 1, 0.5, ?)",
                S2.plusSeconds(10)));
    assertThat(analysis.scores("chat", 2, 1, S2))
        .filteredOn(s -> s.version() == 1)
        .singleElement()
        .satisfies(s -> assertThat(s.n()).isEqualTo(2));
    assertLookMatchesTheRawRows(S2);
    outcomes.insertObservations(List.of(obs("b1", 1, "b", S2.plusSeconds(2), 300)));
    assertThat(judgeSums("b", 1)).isEqualTo("1:0.500");
    assertLookMatchesTheRawRows(S2);
    assertAggregatesMatchTheRawRows();
  }

  @Test
  void aLatencyTrackCreatedAfterDataArrivedCountsTheEarlierRequestsAndTheLaterOnes() {
    List<Observation> early = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      early.add(obs("e" + i, 1 + i % 2, "s" + i % 7, S2.plusSeconds(i), 50 + 20 * i));
    }
    early.add(obs("before", 1, "s-old", S2.minusSeconds(5), 999)); // a unit of the earlier stage
    outcomes.insertObservations(early);
    assertLookMatchesTheRawRows(S2); // creates the track and backfills it
    List<Observation> late = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      late.add(obs("l" + i, 1 + i % 3 % 2, "s" + i % 9, S2.plusSeconds(100 + i), 900 - 20 * i));
    }
    late.add(obs("old-again", 1, "s-old", S2.plusSeconds(200), 999));
    outcomes.insertObservations(late);
    outcomes.insertObservations(late); // retried
    assertLookMatchesTheRawRows(S2);
    int tracks =
        jdbi.withHandle(
            h -> h.select("SELECT count(*) FROM latency_tracks").mapTo(Integer.class).one());
    assertThat(tracks).isEqualTo(1);

    // the next stage's cuts make a new track, which retires this one
    Instant s3 = S2.plusSeconds(1000);
    outcomes.insertObservations(List.of(obs("n1", 2, "next", s3.plusSeconds(1), 500)));
    assertLookMatchesTheRawRows(s3, new Double[] {100.0, 600.0});
    String rows =
        jdbi.withHandle(
            h ->
                h.select("SELECT count(DISTINCT track) || '/' || count(*) FROM unit_latency")
                    .mapTo(String.class)
                    .one());
    assertThat(rows).isEqualTo("1/1");
  }

  private static Observation obs(String id, int version, String unit, Instant at, double latency) {
    return new Observation(
        id, "chat", version, unit, at, latency, null, null, 0.001, latency > 800, false, null);
  }

  private String judgeSums(String unit, int version) {
    return jdbi.withHandle(
        h ->
            h.select(
                    "SELECT scores || ':' || to_char(score_sum, 'FM0.000') FROM unit_judge_sums"
                        + " WHERE prompt = 'chat' AND unit = ? AND version = ? AND judge = 'j'",
                    unit,
                    version)
                .mapTo(String.class)
                .one());
  }

  private void assertLookMatchesTheRawRows(Instant since) {
    assertLookMatchesTheRawRows(since, CUTS);
  }

  private void assertLookMatchesTheRawRows(Instant since, Double[] cuts) {
    assertThat(norm(analysis.arms("chat", 2, 1, since)))
        .as("arms")
        .isEqualTo(norm(raw.arms("chat", 2, 1, since)));
    assertThat(norm(analysis.scores("chat", 2, 1, since)))
        .as("scores")
        .isEqualTo(norm(raw.scores("chat", 2, 1, since)));
    for (String judge : List.of("j", "k")) {
      assertThat(norm(analysis.judgeFailures("chat", 2, 1, judge, since)))
          .as("failures of " + judge)
          .isEqualTo(norm(raw.judgeFailures("chat", 2, 1, judge, since)));
    }
    assertThat(norm(analysis.metrics("chat", 2, 1, since, List.of("csat", "resolved"))))
        .as("metrics")
        .isEqualTo(norm(raw.metrics("chat", 2, 1, since)));
    assertThat(norm(analysis.latencyAbove("chat", 2, 1, since, cuts)))
        .as("latency")
        .isEqualTo(norm(raw.latencyAbove("chat", 2, 1, since, cuts)));
    assertThat(analysis.firstJudge("chat", 2, 1, since))
        .as("first judge")
        .isEqualTo(raw.firstJudge("chat", 2, 1, since));
  }

  /**
   * Every aggregate row equals the same sums over the raw rows (scores and failures with a unit).
   */
  private void assertAggregatesMatchTheRawRows() {
    assertSame(
        "SELECT prompt, version, unit, requests, errors, safety, cost_n, round(cost_s::numeric, 9),"
            + " feedback_n, feedback_s FROM unit_sums",
        "SELECT prompt, version, unit, count(*), count(*) FILTER (WHERE error), count(*) FILTER (WHERE safety_flag),"
            + " count(cost), round(coalesce(sum(cost), 0)::numeric, 9), count(feedback), coalesce(sum(feedback), 0)"
            + " FROM observations GROUP BY prompt, version, unit");
    assertSame(
        "SELECT prompt, version, unit, judge, scores, round(score_sum::numeric, 9), failures"
            + " FROM unit_judge_sums",
        "SELECT prompt, version, unit, judge, sum(n), round(sum(s)::numeric, 9), sum(f) FROM ("
            + " SELECT prompt, version, unit, judge, 1 AS n, score AS s, 0 AS f FROM judgements WHERE unit IS NOT NULL"
            + " UNION ALL SELECT prompt, version, unit, judge, 0, 0, 1 FROM judge_failures WHERE unit IS NOT NULL) x"
            + " GROUP BY prompt, version, unit, judge");
    assertSame(
        "SELECT prompt, version, unit, name, n, round(s::numeric, 9) FROM unit_metric_sums",
        "SELECT prompt, version, unit, name, count(*), round(sum(value)::numeric, 9) FROM outcome_metrics"
            + " GROUP BY prompt, version, unit, name");
    assertSame(
        "SELECT track, version, unit, requests, above FROM unit_latency",
        "SELECT t.id, o.version, o.unit, count(*), ARRAY(SELECT count(*) FILTER (WHERE o2.latency_ms > c)"
            + "  FROM unnest(t.cuts) WITH ORDINALITY AS k(c, i)"
            + "  JOIN observations o2 ON o2.prompt = t.prompt AND o2.version = o.version AND o2.unit = o.unit"
            + "   AND o2.observed_at >= t.since GROUP BY i ORDER BY i)"
            + " FROM latency_tracks t JOIN observations o ON o.prompt = t.prompt AND o.version = ANY (t.versions)"
            + "  AND o.observed_at >= t.since GROUP BY t.id, t.prompt, t.since, t.cuts, o.version, o.unit");
    assertTotalsMatchThePerUnitRows();
  }

  /**
   * The totals ingest kept equal the totals recomputed from the per-unit rows ({@code
   * rebuild_unit_totals}, in a transaction rolled back): integer moments exactly, the others to 9
   * significant digits (added in another order). A row whose units moved away is all zeros.
   */
  private void assertTotalsMatchThePerUnitRows() {
    String totals =
        "SELECT prompt, version, bucket, metric, units, n, "
            + digits9("s")
            + ", nn, "
            + digits9("ss")
            + ", "
            + digits9("ns")
            + " FROM unit_totals"
            + " WHERE units <> 0 OR n <> 0 OR abs(s) > 1e-9 OR nn <> 0 OR abs(ss) > 1e-9 OR abs(ns) > 1e-9";
    List<String> kept = rows(totals);
    List<String> rebuilt =
        jdbi.inTransaction(
            h -> {
              h.execute("SELECT rebuild_unit_totals()");
              List<String> r = rowsOn(h, totals);
              h.rollback();
              return r;
            });
    assertThat(kept).as("unit_totals kept at ingest").isNotEmpty().isEqualTo(rebuilt);
  }

  /** A double column to 9 significant digits, what cancels to below 1e-12 as 0. */
  private static String digits9(String column) {
    return "CASE WHEN abs("
        + column
        + ") < 1e-12 THEN '0' ELSE to_char("
        + column
        + ", '9.99999999EEEE') END";
  }

  private void assertSame(String aggregates, String recomputed) {
    List<String> a = rows(aggregates);
    assertThat(a).as(aggregates).isEqualTo(rows(recomputed));
  }

  private List<String> rows(String sql) {
    return jdbi.withHandle(h -> rowsOn(h, sql));
  }

  private static List<String> rowsOn(Handle handle, String sql) {
    return handle
        .createQuery(sql)
        .map(
            (rs, ctx) -> {
              List<String> values = new ArrayList<>();
              for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                Object v = rs.getObject(i);
                values.add(
                    v instanceof java.sql.Array arr
                        ? java.util.Arrays.toString((Object[]) arr.getArray())
                        : String.valueOf(v));
              }
              return values.toString();
            })
        .list()
        .stream()
        .sorted()
        .toList();
  }

  /**
   * Records as text, doubles to 9 significant digits (the sums are added in another order), sorted.
   */
  private static List<String> norm(List<? extends Record> rows) {
    List<String> out = new ArrayList<>();
    for (Record r : rows) {
      StringBuilder s = new StringBuilder();
      for (RecordComponent c : r.getClass().getRecordComponents()) {
        try {
          Object v = c.getAccessor().invoke(r);
          s.append(c.getName())
              .append('=')
              .append(v instanceof Double d ? String.format(Locale.ROOT, "%.9g", d + 0.0) : v)
              .append(' ');
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
      out.add(s.toString());
    }
    Collections.sort(out);
    return out;
  }
}
