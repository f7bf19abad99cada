package dev.promptcanary.activities.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.promptcanary.activities.ingest.Judgement;
import dev.promptcanary.activities.ingest.Observation;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A look from the running totals of migration V8 ({@code AnalysisDao.stage} with the totals) equals
 * the per-unit look it replaces (the same, every unit read per unit) at every stage start, on
 * random traffic: sessions that span stages, sessions pinned to a version they were not first
 * given, requests and scores arriving out of order, hours late or before their observation, every
 * batch retried, stage restarts that make a new latency track, and several writers storing the same
 * few sessions at once.
 */
class UnitTotalsTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final Double[] CUTS = {200.0, 500.0, 800.0};
  private Jdbi jdbi;
  private OutcomeDao outcomes;
  private AnalysisDao analysis;

  @BeforeEach
  void setUp() {
    jdbi = TestDatabases.fresh().jdbi();
    Fixtures.twoVersionsOf(jdbi, "chat");
    outcomes = jdbi.onDemand(OutcomeDao.class);
    analysis = jdbi.onDemand(AnalysisDao.class);
  }

  /**
   * Batches for {@code sessions} sessions over 30 minutes from {@code T0}: 1-12 requests each, now
   * and then on the other version (pinned), about half judged (a quarter of those naming the unit,
   * some minutes to hours late), each batch twice, shuffled.
   */
  private List<Runnable> traffic(Random random, int sessions, String prefix) {
    List<Observation> observations = new ArrayList<>();
    List<Judgement> judgements = new ArrayList<>();
    for (int u = 0; u < sessions; u++) {
      String unit = u % 17 == 0 ? null : prefix + u;
      int version = 1 + random.nextInt(2);
      Instant start = T0.plusMillis(random.nextInt(30 * 60_000));
      int requests = 1 + random.nextInt(12);
      for (int r = 0; r < requests; r++) {
        String id = prefix + u + "-" + r;
        int v = random.nextInt(8) == 0 ? 3 - version : version;
        Instant at = start.plusMillis(random.nextInt(20 * 60_000));
        observations.add(
            new Observation(
                id,
                "chat",
                v,
                unit,
                at,
                Math.round(random.nextDouble() * 10_000) / 10.0,
                null,
                null,
                random.nextInt(4) == 0 ? null : random.nextDouble() / 1000,
                random.nextInt(10) == 0,
                random.nextInt(30) == 0,
                random.nextInt(3) == 0 ? random.nextInt(3) - 1 : null));
        if (random.nextBoolean()) {
          Instant judged = at.plusSeconds(1 + random.nextInt(random.nextBoolean() ? 600 : 7200));
          judgements.add(
              random.nextInt(4) == 0 && unit != null
                  ? new Judgement(id, "chat", v, "j", random.nextDouble(), judged, unit, at)
                  : new Judgement(id, "chat", v, "j", random.nextDouble(), judged));
        }
      }
    }
    Collections.shuffle(observations, random);
    Collections.shuffle(judgements, random);
    List<Runnable> calls = new ArrayList<>();
    for (int i = 0; i < observations.size(); i += 23) {
      List<Observation> batch =
          List.copyOf(observations.subList(i, Math.min(observations.size(), i + 23)));
      calls.add(() -> outcomes.insertObservations(batch));
    }
    for (int i = 0; i < judgements.size(); i += 19) {
      List<Judgement> batch =
          List.copyOf(judgements.subList(i, Math.min(judgements.size(), i + 19)));
      calls.add(() -> outcomes.insertJudgements(batch));
    }
    List<Runnable> all = new ArrayList<>(calls);
    all.addAll(calls); // every batch retried
    Collections.shuffle(all, random);
    return all;
  }

  @Test
  void aLookFromTheTotalsEqualsThePerUnitLookAtEveryStageStart() {
    Random random = new Random(42);
    List<Runnable> calls = traffic(random, 300, "s");
    // a stage started (its latency track made) when a third of the traffic had arrived, then
    // restarted later: the restart's track retires the first
    Instant stage = T0.plusMillis(7 * 60_000 + 12_345);
    Instant restart = T0.plusMillis(16 * 60_000 + 30_500);
    for (int i = 0; i < calls.size(); i++) {
      if (i == calls.size() / 3) {
        analysis.latencyAbove("chat", 2, 1, stage, CUTS);
      }
      if (i == 2 * calls.size() / 3) {
        analysis.latencyAbove("chat", 2, 1, restart, CUTS);
      }
      calls.get(i).run();
    }
    long track =
        jdbi.withHandle(
            h -> h.select("SELECT id FROM latency_tracks").mapTo(Long.class).one()); // one left
    List<Instant> starts = new ArrayList<>(List.of(T0, T0.plusSeconds(600), restart));
    for (int i = 0; i < 12; i++) {
      starts.add(T0.plusMillis(random.nextInt(25 * 60_000)));
    }
    for (Instant since : starts) {
      boolean onTrack = !since.isBefore(restart);
      assertSameStage(since, onTrack ? track : null, onTrack ? CUTS.length : 0);
    }
  }

  @Test
  void concurrentWritersOfTheSameSessionsKeepTheTotalsExact() throws Exception {
    Random random = new Random(11);
    analysis.latencyAbove("chat", 2, 1, T0, CUTS);
    // 6 writers, 12 sessions between them: every batch touches sessions another writer is
    // storing, often moving their first exposure
    List<Runnable> calls = traffic(random, 12, "hot");
    int writers = 6;
    CyclicBarrier start = new CyclicBarrier(writers);
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int first = w;
        work.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = first; i < calls.size(); i += writers) {
                    calls.get(i).run();
                  }
                  return null;
                }));
      }
      for (Future<?> f : work) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    long track =
        jdbi.withHandle(h -> h.select("SELECT id FROM latency_tracks").mapTo(Long.class).one());
    for (Instant since : List.of(T0, T0.plusMillis(5 * 60_000 + 999), T0.plusSeconds(900))) {
      assertSameStage(since, track, CUTS.length);
    }
    // and retried once more, serially: nothing is counted twice (a score that raced its
    // observation is attributed by the observation's retry, from the raw rows into the totals:
    // the same sums, added in another order)
    AnalysisDao.StageRows before = analysis.stage("chat", 2, 1, T0, track, CUTS.length, true);
    calls.forEach(Runnable::run);
    AnalysisDao.StageRows after = analysis.stage("chat", 2, 1, T0, track, CUTS.length, true);
    assertSame(after.arms(), before.arms(), "arms after the retry");
    assertSame(after.scores(), before.scores(), "scores after the retry");
    assertSame(after.latency(), before.latency(), "latency after the retry");
    assertSameStage(T0, track, CUTS.length);
  }

  private void assertSameStage(Instant since, Long track, int cuts) {
    AnalysisDao.StageRows totals = analysis.stage("chat", 2, 1, since, track, cuts, true);
    AnalysisDao.StageRows perUnit = analysis.stage("chat", 2, 1, since, track, cuts, false);
    assertThat(perUnit.arms()).as("units at %s", since).hasSize(2);
    assertThat(perUnit.scores()).as("scores at %s", since).isNotEmpty();
    assertSame(totals.arms(), perUnit.arms(), "arms at " + since);
    assertSame(totals.scores(), perUnit.scores(), "scores at " + since);
    assertSame(totals.latency(), perUnit.latency(), "latency at " + since);
  }

  /**
   * Row for row: integers and integer-valued sums exactly, other sums within 1e-9 relative (added
   * in another order).
   */
  private static void assertSame(
      List<? extends Record> actual, List<? extends Record> expected, String what) {
    assertThat(actual).as(what).hasSameSizeAs(expected);
    List<? extends Record> a = sorted(actual);
    List<? extends Record> e = sorted(expected);
    for (int i = 0; i < a.size(); i++) {
      for (RecordComponent c : a.get(i).getClass().getRecordComponents()) {
        Object x = value(c, a.get(i));
        Object y = value(c, e.get(i));
        String field = what + ", row " + e.get(i) + ", " + c.getName();
        if (y instanceof Double d && d != Math.rint(d)) {
          assertThat((Double) x).as(field).isCloseTo(d, offset(1e-9 * Math.max(1, Math.abs(d))));
        } else {
          assertThat(x).as(field).isEqualTo(y);
        }
      }
    }
  }

  private static List<? extends Record> sorted(List<? extends Record> rows) {
    List<Record> copy = new ArrayList<>(rows);
    copy.sort(java.util.Comparator.comparing(UnitTotalsTest::keyOf));
    return copy;
  }

  /** An arm's version, or a version and key of scores or latency. */
  private static String keyOf(Record r) {
    return r instanceof AnalysisDao.Sums s ? s.version() + "/" + s.key() : r.toString();
  }

  private static Object value(RecordComponent c, Record r) {
    try {
      return c.getAccessor().invoke(r);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }
}
