package dev.promptcanary.bench.look;

import static dev.promptcanary.bench.Table.fmt;
import static dev.promptcanary.bench.Table.median;

import com.codahale.metrics.MetricRegistry;
import dev.promptcanary.activities.rollout.CanaryAnalyser;
import dev.promptcanary.activities.store.AnalysisDao;
import dev.promptcanary.activities.store.Store;
import dev.promptcanary.bench.BenchStore;
import dev.promptcanary.bench.Machine;
import dev.promptcanary.bench.Options;
import dev.promptcanary.bench.Table;
import dev.promptcanary.testkit.EmbeddedPostgresServer;
import dev.promptcanary.workflows.domain.GatesConfig;
import dev.promptcanary.workflows.rollout.AnalysisReport;
import dev.promptcanary.workflows.rollout.AnalysisRequest;
import io.dropwizard.db.DataSourceFactory;
import io.dropwizard.db.ManagedDataSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jdbi.v3.core.Jdbi;

/**
 * What one look costs: {@link CanaryAnalyser#analyse} (the analysis activity's work: every per-unit
 * aggregate of the stage, the frozen latency cuts, judge health, the statistics) on a stage of N
 * observations in sessions of 1-19 requests (about 10 on average), every request judged, at 50%,
 * against a plain {@code count(*)} over the same rows (the stage's observations and scores) in the
 * same run, on the same embedded PostgreSQL. The first look of a stage (which freezes its latency
 * cuts) is timed apart; the table shows the median of the later looks. The look's CPU time in this
 * JVM (what it costs a worker: Jdbi, the driver, the statistics; PostgreSQL's own work is not in
 * it) is measured as the worker runs it, one handle per look, and against the baseline in the same
 * run: every store call through an on-demand DAO, a handle opened per call, the two alternating.
 */
public final class LookCostBench {
  private static final String PROMPT = "look";

  /**
   * The stage's start, 250 ms into a minute as a real one is anywhere in it: the look reads the
   * units of that first minute per unit, and the later minutes from the totals.
   */
  private static final Instant STAGE = Instant.parse("2026-03-01T10:00:00.250Z");

  private static volatile String combinedSql = "";

  /** Microseconds the statements of the current look took in PostgreSQL (through the driver). */
  private static final java.util.concurrent.atomic.AtomicLong sqlMicros =
      new java.util.concurrent.atomic.AtomicLong();

  record Result(
      long observations,
      long units,
      long scores,
      double firstLookMs,
      double lookMs,
      double countMs,
      double countObservationsMs,
      double sqlMs,
      double cpuMs,
      double cpuPerCallMs,
      String decision) {}

  /** The JVM's CPU time of this thread (the look's Java side: Jdbi, the driver, the statistics). */
  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();

  /** Runs one look and returns the CPU milliseconds this thread spent on it. */
  private static double cpuMs(CanaryAnalyser analyser, AnalysisRequest request) {
    long before = THREADS.getCurrentThreadCpuTime();
    analyser.analyse(request);
    return (THREADS.getCurrentThreadCpuTime() - before) / 1e6;
  }

  public static void main(String[] args) throws Exception {
    Options.apply(args);
    List<Long> sizes = new ArrayList<>();
    for (String s : System.getProperty("bench.sizes", "100000,1000000,10000000").split(",")) {
      sizes.add(Long.parseLong(s.trim()));
    }
    int looks = Integer.getInteger("bench.looks", 7);
    System.out.println(
        "look-cost benchmark: "
            + Machine.coresAndJava()
            + "; stages of "
            + sizes
            + " observations in sessions of ~10, every request judged; "
            + looks
            + " looks each; load average at start "
            + Machine.load());
    List<Result> results = new ArrayList<>();
    try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.startTemporary()) {
      BenchStore.migrated(postgres, postgres.jdbcUrl("promptcanary"));
      Jdbi jdbi = pooled(postgres);
      BenchStore.createTwoVersions(jdbi, PROMPT, "Support agent");
      java.util.Map<String, List<Double>> perQuery = new java.util.concurrent.ConcurrentHashMap<>();
      jdbi.setSqlLogger(
          new org.jdbi.v3.core.statement.SqlLogger() {
            @Override
            public void logAfterExecution(org.jdbi.v3.core.statement.StatementContext context) {
              if (context.getRawSql().contains("unit_latency l ON l.track = :track")) {
                combinedSql = context.getRawSql();
              }
              String sql =
                  context
                      .getRawSql()
                      .replace("WITH " + AnalysisDao.STAGE_UNITS + ",", "")
                      .replace("WITH " + AnalysisDao.STAGE_UNITS, "")
                      .replace("WITH " + AnalysisDao.UNITS_UNTIL + ",", "")
                      .replace("WITH " + AnalysisDao.UNITS_UNTIL, "")
                      .trim();
              String name = sql.substring(0, Math.min(60, sql.length()));
              sqlMicros.addAndGet(context.getElapsedTime(java.time.temporal.ChronoUnit.MICROS));
              perQuery
                  .computeIfAbsent(name, k -> new ArrayList<>())
                  .add(context.getElapsedTime(java.time.temporal.ChronoUnit.MICROS) / 1000.0);
            }
          });
      // The look as the worker runs it (one handle per look), and the baseline measured beside it
      // in the same run: every store call through an on-demand DAO (a handle opened per call), as
      // the worker ran it before.
      CanaryAnalyser analyser = new CanaryAnalyser(jdbi);
      CanaryAnalyser perCall = new CanaryAnalyser(jdbi.onDemand(AnalysisDao.class));
      for (long size : sizes) {
        long t0 = System.nanoTime();
        long[] counts = fill(jdbi, size);
        System.out.println(
            "stage of "
                + fmt(counts[0], 0)
                + " observations in "
                + fmt(counts[1], 0)
                + " sessions, "
                + fmt(counts[2], 0)
                + " scores: loaded in "
                + fmt((System.nanoTime() - t0) / 1e9, 1)
                + " s");
        AnalysisRequest request =
            new AnalysisRequest(
                "rollout-look-" + size,
                PROMPT,
                2,
                1,
                5000,
                STAGE.toEpochMilli(),
                STAGE.toEpochMilli(),
                3,
                GatesConfig.defaults(),
                "bench-judge",
                0,
                false);
        long f = System.nanoTime();
        AnalysisReport first = analyser.analyse(request);
        double firstMs = (System.nanoTime() - f) / 1e6;
        List<Double> lookMs = new ArrayList<>();
        List<Double> countMs = new ArrayList<>();
        List<Double> countObsMs = new ArrayList<>();
        List<Double> sqlMs = new ArrayList<>();
        List<Double> cpuMs = new ArrayList<>();
        List<Double> cpuPerCallMs = new ArrayList<>();
        for (int i = 0; i < looks; i++) {
          // the two ways alternate, so that a change of the machine's load falls on both
          cpuPerCallMs.add(cpuMs(perCall, request));
          cpuMs.add(cpuMs(analyser, request));
          sqlMicros.set(0);
          long a = System.nanoTime();
          analyser.analyse(request);
          lookMs.add((System.nanoTime() - a) / 1e6);
          sqlMs.add(sqlMicros.get() / 1000.0);
          long b = System.nanoTime();
          jdbi.withHandle(
              h ->
                  h.select(
                          "SELECT (SELECT count(*) FROM observations WHERE prompt = ? AND observed_at >= ?)"
                              + " + (SELECT count(*) FROM judgements WHERE prompt = ? AND judged_at >= ?)",
                          PROMPT,
                          STAGE,
                          PROMPT,
                          STAGE)
                      .mapTo(Long.class)
                      .one());
          countMs.add((System.nanoTime() - b) / 1e6);
          long c = System.nanoTime();
          jdbi.withHandle(
              h ->
                  h.select(
                          "SELECT count(*) FROM observations WHERE prompt = ? AND observed_at >= ?",
                          PROMPT,
                          STAGE)
                      .mapTo(Long.class)
                      .one());
          countObsMs.add((System.nanoTime() - c) / 1e6);
        }
        if (Boolean.getBoolean("bench.explain")) {
          explain(jdbi, STAGE);
        }
        perQuery.forEach(
            (q, ms) ->
                System.out.println(
                    "    " + fmt(median(ms), 1) + " ms median: " + q.replace('\n', ' ')));
        perQuery.clear();
        Result r =
            new Result(
                counts[0],
                counts[1],
                counts[2],
                firstMs,
                median(lookMs),
                median(countMs),
                median(countObsMs),
                median(sqlMs),
                median(cpuMs),
                median(cpuPerCallMs),
                first.overall().decision().name());
        results.add(r);
        System.out.println(
            "  first look " + fmt(firstMs, 1) + " ms, looks " + lookMs + ", count(*) " + countMs);
      }
    }
    Table table =
        new Table(
            "observations",
            "sessions",
            "scores",
            "first look ms",
            "look ms (median)",
            "of which SQL ms",
            "count(*) obs+scores ms",
            "look / count(*)",
            "count(*) obs only ms",
            "look / count(*) obs",
            "look CPU ms, handle per call (before)",
            "look CPU ms, one handle",
            "CPU one handle / per call");
    for (Result r : results) {
      table.row(
          fmt(r.observations(), 0),
          fmt(r.units(), 0),
          fmt(r.scores(), 0),
          fmt(r.firstLookMs(), 1),
          fmt(r.lookMs(), 1),
          fmt(r.sqlMs(), 1),
          fmt(r.countMs(), 1),
          fmt(r.lookMs() / r.countMs(), 2),
          fmt(r.countObservationsMs(), 1),
          fmt(r.lookMs() / r.countObservationsMs(), 2),
          fmt(r.cpuPerCallMs(), 2),
          fmt(r.cpuMs(), 2),
          fmt(r.cpuMs() / r.cpuPerCallMs(), 2));
    }
    System.out.print(table.render());
    StringBuilder json = new StringBuilder("{\"bench\":\"look-cost\"");
    for (Result r : results) {
      String key =
          r.observations() >= 1_000_000
              ? (r.observations() / 1_000_000) + "m"
              : r.observations() >= 1000 ? (r.observations() / 1000) + "k" : r.observations() + "";
      json.append(
          String.format(
              Locale.ROOT,
              ",\"look_ms_%s\":%.1f,\"sql_ms_%s\":%.1f,\"count_ms_%s\":%.1f,\"ratio_%s\":%.2f"
                  + ",\"cpu_ms_per_call_%s\":%.2f,\"cpu_ms_%s\":%.2f,\"cpu_ratio_%s\":%.2f",
              key,
              r.lookMs(),
              key,
              r.sqlMs(),
              key,
              r.countMs(),
              key,
              r.lookMs() / r.countMs(),
              key,
              r.cpuPerCallMs(),
              key,
              r.cpuMs(),
              key,
              r.cpuMs() / r.cpuPerCallMs()));
    }
    json.append(",\"load\":\"").append(Machine.load()).append("\"}");
    System.out.println(json);
  }

  /**
   * The store through Dropwizard's connection pool, as the worker reaches it (worker.yml's sizes):
   * a handle then borrows a pooled connection, so the per-call baseline is not charged a connection
   * opened per handle.
   */
  private static Jdbi pooled(EmbeddedPostgresServer postgres) throws Exception {
    DataSourceFactory factory = new DataSourceFactory();
    factory.setDriverClass("org.postgresql.Driver");
    factory.setUrl(postgres.jdbcUrl("promptcanary"));
    factory.setUser(postgres.user());
    factory.setMinSize(2);
    factory.setMaxSize(16);
    ManagedDataSource pool = factory.build(new MetricRegistry(), "look-cost");
    pool.start();
    return Store.configure(Jdbi.create(pool));
  }

  /**
   * {@code --explain=true}: the plan of each look query of {@link AnalysisDao}, run with this
   * stage's values.
   */
  private static void explain(Jdbi jdbi, Instant since) {
    long track =
        jdbi.withHandle(
            h ->
                h.select("SELECT coalesce(max(id), 0) FROM latency_tracks")
                    .mapTo(Long.class)
                    .one());
    java.util.Map<String, String> queries = new java.util.TreeMap<>();
    queries.put("armsAndLatencyPerUnit (the first minute)", combinedSql);
    for (java.lang.reflect.Method m : AnalysisDao.class.getMethods()) {
      org.jdbi.v3.sqlobject.statement.SqlQuery q =
          m.getAnnotation(org.jdbi.v3.sqlobject.statement.SqlQuery.class);
      if (q != null
          && List.of("totals", "scoresAttributed", "judgeFailures", "firstJudge")
              .contains(m.getName())) {
        queries.put(m.getName(), q.value());
      }
    }
    for (var e : queries.entrySet()) {
      String sql =
          e.getValue()
              .replace(":prompt", "'" + PROMPT + "'")
              .replace(":a", "2")
              .replace(":b", "1")
              .replace(":since", "timestamptz '" + since + "'")
              .replace(":until", "timestamptz '" + AnalysisDao.totalsFrom(since) + "'")
              .replace(":from", "timestamptz '" + AnalysisDao.totalsFrom(since) + "'")
              .replace(":track", Long.toString(track))
              .replace(":judge", "'bench-judge'");
      System.out.println("  EXPLAIN " + e.getKey() + ":");
      jdbi.useHandle(h -> h.execute("SET work_mem = '" + AnalysisDao.LOOK_WORK_MEM + "'"));
      jdbi.useHandle(
          h ->
              h.createQuery("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                  .mapTo(String.class)
                  .list()
                  .forEach(line -> System.out.println("    " + line)));
    }
  }

  /** The tables the loader fills in bulk. */
  private static final List<String> BULK_TABLES =
      List.of("observations", "judgements", "unit_exposures", "unit_sums", "unit_judge_sums");

  /**
   * Drops the indexes and the primary-key and unique constraints of {@code tables} and returns the
   * statements that recreate them as the migrations made them (from the catalogue's own
   * definitions).
   */
  private static List<String> dropIndexes(org.jdbi.v3.core.Handle h, List<String> tables) {
    List<String> rebuild = new ArrayList<>();
    for (String table : tables) {
      List<java.util.Map<String, Object>> constraints =
          h.createQuery(
                  "SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint"
                      + " WHERE conrelid = CAST(:t AS regclass) AND contype IN ('p', 'u')")
              .bind("t", table)
              .mapToMap()
              .list();
      List<String> indexes =
          h.createQuery(
                  "SELECT indexdef FROM pg_indexes WHERE tablename = :t AND indexname NOT IN"
                      + " (SELECT conname FROM pg_constraint WHERE conrelid = CAST(:t AS regclass))")
              .bind("t", table)
              .mapTo(String.class)
              .list();
      List<String> names =
          h.createQuery(
                  "SELECT indexname FROM pg_indexes WHERE tablename = :t AND indexname NOT IN"
                      + " (SELECT conname FROM pg_constraint WHERE conrelid = CAST(:t AS regclass))")
              .bind("t", table)
              .mapTo(String.class)
              .list();
      for (var c : constraints) {
        h.execute("ALTER TABLE " + table + " DROP CONSTRAINT " + c.get("name"));
        rebuild.add(
            "ALTER TABLE " + table + " ADD CONSTRAINT " + c.get("name") + " " + c.get("def"));
      }
      for (String name : names) {
        h.execute("DROP INDEX " + name);
      }
      rebuild.addAll(indexes);
    }
    return rebuild;
  }

  /**
   * Empties the outcome tables and loads one stage: sessions of 1 + (u * 7919) mod 19 requests
   * (mean ~10) until about {@code size} observations, odd sessions on the candidate, one score per
   * request, first exposures as ingest keeps them, and 5,000 baseline requests before the stage for
   * its latency cuts. Returns observations, sessions and scores in the stage.
   */
  private static long[] fill(Jdbi jdbi, long size) {
    long sessions = Math.max(1, size / 10);
    jdbi.useHandle(
        h -> {
          h.execute(
              "TRUNCATE observations, judgements, judge_failures, unit_exposures, latency_cuts, outcome_metrics,"
                  + " unit_sums, unit_judge_sums, unit_metric_sums, latency_tracks, unit_latency, unit_totals");
          // A bulk load: memory for the sorts, no wait for the WAL, and the big tables' indexes and
          // keys dropped and built once at the end (a B-tree built from sorted rows is many times
          // faster than 10 M random insertions into it).
          h.execute("SET work_mem = '256MB'");
          h.execute("SET maintenance_work_mem = '1GB'");
          h.execute("SET synchronous_commit = off");
          List<String> rebuild = dropIndexes(h, BULK_TABLES);
          h.execute(
              "INSERT INTO observations (request_id, prompt, version, unit, observed_at, latency_ms, cost, error,"
                  + " safety_flag) SELECT 'pre-' || i, ?, 1, 'pre-' || i, CAST(? AS timestamptz) - interval '1 hour' + i * interval '1 ms',"
                  + " 300 + (i * 37) % 500, 0.001, false, false FROM generate_series(1, 5000) i",
              PROMPT, STAGE);
          h.execute(
              "INSERT INTO observations (request_id, prompt, version, unit, observed_at, latency_ms, cost, error,"
                  + " safety_flag, feedback)"
                  + " SELECT 's' || u || '-' || r, ?, 1 + u % 2, 's' || u,"
                  + "  CAST(? AS timestamptz) + (u * interval '3600 seconds') / ? + r * interval '1 second',"
                  + "  200 + random() * 600, 0.0004 + random() * 0.0001, random() < 0.01, random() < 0.001,"
                  + "  CASE WHEN random() < 0.1 THEN 1 ELSE NULL END"
                  + " FROM generate_series(1, ?) u, generate_series(1, 1 + (u * 7919) % 19) r",
              PROMPT, STAGE, sessions, sessions);
          h.execute(
              "INSERT INTO judgements (request_id, judge, prompt, version, score, judged_at, unit, served_at)"
                  + " SELECT request_id, 'bench-judge', prompt, version, random(), observed_at + interval '5 minutes', unit,"
                  + "  observed_at FROM observations WHERE prompt = ? AND observed_at >= ?",
              PROMPT,
              STAGE);
          h.execute(
              "INSERT INTO unit_exposures (prompt, unit, first_version, first_served_at)"
                  + " SELECT DISTINCT ON (prompt, unit) prompt, unit, version, observed_at FROM observations"
                  + " ORDER BY prompt, unit, observed_at, version");
          // the per-unit aggregates as ingest would have kept them: the same sums as migration V7's
          // backfill
          h.execute(
              "INSERT INTO unit_sums (prompt, version, unit, requests, errors, safety, cost_n, cost_s, feedback_n,"
                  + " feedback_s) SELECT prompt, version, unit, count(*), count(*) FILTER (WHERE error),"
                  + " count(*) FILTER (WHERE safety_flag), count(cost), coalesce(sum(cost), 0), count(feedback),"
                  + " coalesce(sum(feedback), 0) FROM observations GROUP BY prompt, version, unit");
          h.execute(
              "INSERT INTO unit_judge_sums (prompt, version, unit, judge, scores, score_sum, failures)"
                  + " SELECT prompt, version, unit, judge, count(*), sum(score), 0 FROM judgements"
                  + " GROUP BY prompt, version, unit, judge");
          // and their running totals per minute (V8), as ingest keeps them (UnitTotalsTest,
          // UnitAggregatesTest)
          h.execute("SELECT rebuild_unit_totals()");
          rebuild.forEach(h::execute);
          h.execute("RESET work_mem");
          h.execute("RESET maintenance_work_mem");
          h.execute("VACUUM ANALYZE unit_totals");
          h.execute("VACUUM ANALYZE observations");
          h.execute("VACUUM ANALYZE unit_sums");
          h.execute("VACUUM ANALYZE unit_judge_sums");
          h.execute("VACUUM ANALYZE judgements");
          h.execute("VACUUM ANALYZE unit_exposures");
        });
    return jdbi.withHandle(
        h ->
            new long[] {
              h.select("SELECT count(*) FROM observations WHERE observed_at >= ?", STAGE)
                  .mapTo(Long.class)
                  .one(),
              h.select("SELECT count(*) FROM unit_exposures WHERE first_served_at >= ?", STAGE)
                  .mapTo(Long.class)
                  .one(),
              h.select("SELECT count(*) FROM judgements").mapTo(Long.class).one()
            });
  }
}
