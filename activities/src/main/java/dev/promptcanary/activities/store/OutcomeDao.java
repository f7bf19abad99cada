package dev.promptcanary.activities.store;

import dev.promptcanary.activities.ingest.IngestResult;
import dev.promptcanary.activities.ingest.JudgeFailure;
import dev.promptcanary.activities.ingest.Judgement;
import dev.promptcanary.activities.ingest.Observation;
import dev.promptcanary.activities.ingest.OutcomeMetric;
import dev.promptcanary.activities.ingest.Units;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jdbi.v3.sqlobject.transaction.Transaction;

/**
 * Batch ingest of observations and judgements. One statement per batch and table: the rows travel
 * as column arrays and are unnested server side, which costs a fraction of row-by-row inserts, and
 * ON CONFLICT makes a retried batch count nothing twice. Request ids are unique per prompt.
 *
 * <p>Each batch also keeps {@code unit_exposures} current in the same transaction: a unit's first
 * exposure to a prompt is its earliest served request (an observation, or a judgement that names
 * its unit), whatever order they arrive in; replaying a batch changes nothing.
 *
 * <p>And the per-unit aggregates a look reads (migration V7): every statement that stores rows adds
 * exactly the rows it stored ({@code INSERT ... ON CONFLICT DO NOTHING RETURNING} feeding an {@code
 * ON CONFLICT DO UPDATE SET x = x + excluded.x} in the same statement), so a retried batch adds
 * nothing and batches from several nodes add up. Rows are upserted in key order and the tables in
 * one order (latency locks, exposures, observations and their sums, judgements and their sums), so
 * concurrent batches do not deadlock.
 */
public interface OutcomeDao {
  /**
   * Epoch microseconds {@code t} to timestamptz, exactly and in integer arithmetic. {@code
   * to_timestamp(t / 1000000.0)} gives the same instant but divides in {@code numeric} for every
   * row, which cost the store path 5-15% of its throughput in {@code bench/ingest}.
   */
  String MICROS_TO_TIMESTAMP = "(timestamptz 'epoch' + t * interval '1 microsecond')";

  /**
   * Stores the batch's new observations and adds exactly those to their units' aggregates: {@code
   * unit_sums}, and {@code unit_latency} for every latency track of their prompt and version that
   * had started when they were served. One statement, so the aggregates move with the rows; returns
   * how many rows were stored. A repeated request id keeps its first occurrence. The caller holds
   * the prompts' shared latency locks ({@link #lockLatencyShared}), taken in an earlier statement
   * so that this one sees every track whose backfill missed these rows.
   */
  @SqlQuery(
      "WITH ins AS ("
          + " INSERT INTO observations (request_id, prompt, version, unit, observed_at, latency_ms, input_tokens,"
          + " output_tokens, cost, error, safety_flag, feedback)"
          + " SELECT r, p, v, u, "
          + OutcomeDao.MICROS_TO_TIMESTAMP
          + ", l, it, ot, c, e, s, f"
          + " FROM unnest(:requestIds, :prompts, :versions, :units, :timesMicros, :latencies, :inputTokens,"
          + " :outputTokens, :costs, :errors, :safetyFlags, :feedback)"
          + " WITH ORDINALITY AS x(r, p, v, u, t, l, it, ot, c, e, s, f, i) ORDER BY i"
          + " ON CONFLICT (prompt, request_id) DO NOTHING"
          + " RETURNING prompt, version, unit, observed_at, latency_ms, cost, error, safety_flag, feedback),"
          + " sums AS (INSERT INTO unit_sums (prompt, version, unit, requests, errors, safety, cost_n, cost_s,"
          + "  feedback_n, feedback_s)"
          + "  SELECT prompt, version, unit, count(*), count(*) FILTER (WHERE error),"
          + "   count(*) FILTER (WHERE safety_flag), count(cost), coalesce(sum(cost), 0), count(feedback),"
          + "   coalesce(sum(feedback), 0)"
          + "  FROM ins GROUP BY prompt, version, unit ORDER BY prompt, version, unit"
          + "  ON CONFLICT (prompt, version, unit) DO UPDATE SET requests = unit_sums.requests + EXCLUDED.requests,"
          + "   errors = unit_sums.errors + EXCLUDED.errors, safety = unit_sums.safety + EXCLUDED.safety,"
          + "   cost_n = unit_sums.cost_n + EXCLUDED.cost_n, cost_s = unit_sums.cost_s + EXCLUDED.cost_s,"
          + "   feedback_n = unit_sums.feedback_n + EXCLUDED.feedback_n,"
          + "   feedback_s = unit_sums.feedback_s + EXCLUDED.feedback_s),"
          + " lat AS (INSERT INTO unit_latency (track, version, unit, requests, above)"
          + "  SELECT t.id, ins.version, ins.unit, count(*), latency_above_counts(array_agg(ins.latency_ms), t.cuts)"
          + "  FROM ins JOIN latency_tracks t ON t.prompt = ins.prompt AND ins.version = ANY (t.versions)"
          + "   AND ins.observed_at >= t.since"
          + "  GROUP BY t.id, t.cuts, ins.version, ins.unit ORDER BY t.id, ins.version, ins.unit"
          + "  ON CONFLICT (track, version, unit) DO UPDATE SET requests = unit_latency.requests + EXCLUDED.requests,"
          + "   above = add_counts(unit_latency.above, EXCLUDED.above))"
          + " SELECT count(*) FROM ins")
  int insertObservationColumns(
      @Bind("requestIds") String[] requestIds,
      @Bind("prompts") String[] prompts,
      @Bind("versions") Integer[] versions,
      @Bind("units") String[] units,
      @Bind("timesMicros") Long[] timesMicros,
      @Bind("latencies") Double[] latencies,
      @Bind("inputTokens") Integer[] inputTokens,
      @Bind("outputTokens") Integer[] outputTokens,
      @Bind("costs") Double[] costs,
      @Bind("errors") Boolean[] errors,
      @Bind("safetyFlags") Boolean[] safetyFlags,
      @Bind("feedback") Short[] feedback);

  /**
   * The advisory lock class of a prompt's latency tracks; the object is {@code hashtext(prompt)}.
   */
  int LATENCY_LOCK_CLASS = 0x50434c54; // "PCLT"

  /**
   * Takes the prompts' latency locks in shared mode until the transaction ends: a look creating a
   * latency track takes it exclusively, so it backfills after every batch that could not see its
   * track has committed.
   */
  @SqlQuery(
      "SELECT CAST(pg_advisory_xact_lock_shared("
          + LATENCY_LOCK_CLASS
          + ", hashtext(p)) AS text)"
          + " FROM (SELECT DISTINCT p FROM unnest(CAST(:prompts AS text[])) AS x(p) ORDER BY p) AS d")
  List<String> lockLatencyShared(@Bind("prompts") String[] prompts);

  /**
   * Scores and failures stored before their observation (they have no unit) get the unit and
   * serving time of the observations now stored, and are added to their units' aggregates, in one
   * statement. The stored observation decides, as it did when the look joined it.
   */
  @SqlUpdate(
      "WITH x AS (SELECT DISTINCT p, r FROM unnest(CAST(:prompts AS text[]), CAST(:requestIds AS text[])) AS x(p, r)),"
          + " js AS (UPDATE judgements j SET unit = o.unit, served_at = o.observed_at FROM x, observations o"
          + "  WHERE j.prompt = x.p AND j.request_id = x.r AND j.unit IS NULL"
          + "   AND o.prompt = x.p AND o.request_id = x.r"
          + "  RETURNING j.prompt, j.version, j.unit, j.judge, j.score),"
          + " fs AS (UPDATE judge_failures f SET unit = o.unit, served_at = o.observed_at FROM x, observations o"
          + "  WHERE f.prompt = x.p AND f.request_id = x.r AND f.unit IS NULL"
          + "   AND o.prompt = x.p AND o.request_id = x.r"
          + "  RETURNING f.prompt, f.version, f.unit, f.judge),"
          + " items AS (SELECT prompt, version, unit, judge, 1 AS scores, score AS score_sum, 0 AS failures FROM js"
          + "  UNION ALL SELECT prompt, version, unit, judge, 0, 0, 1 FROM fs)"
          + " INSERT INTO unit_judge_sums (prompt, version, unit, judge, scores, score_sum, failures)"
          + " SELECT prompt, version, unit, judge, sum(scores), sum(score_sum), sum(failures) FROM items"
          + " GROUP BY prompt, version, unit, judge ORDER BY prompt, version, unit, judge"
          + JUDGE_SUMS_ADD)
  int attributeEarlyJudgements(
      @Bind("prompts") String[] prompts, @Bind("requestIds") String[] requestIds);

  /** How an upsert into {@code unit_judge_sums} adds to the unit's row. */
  String JUDGE_SUMS_ADD =
      " ON CONFLICT (prompt, version, unit, judge) DO UPDATE SET scores = unit_judge_sums.scores + EXCLUDED.scores,"
          + " score_sum = unit_judge_sums.score_sum + EXCLUDED.score_sum,"
          + " failures = unit_judge_sums.failures + EXCLUDED.failures";

  /**
   * Records first exposures: per (prompt, unit) the earliest of the given servings and the stored
   * one. Ties on the time go to the lower version, so the outcome does not depend on arrival order.
   * Rows are taken in key order, so concurrent batches lock them in the same order.
   */
  @SqlUpdate(
      "INSERT INTO unit_exposures (prompt, unit, first_version, first_served_at)"
          + " SELECT DISTINCT ON (p, u) p, u, v, "
          + OutcomeDao.MICROS_TO_TIMESTAMP
          + " FROM unnest(:prompts, :units, :versions, :timesMicros) AS x(p, u, v, t)"
          + " ORDER BY p, u, t, v"
          + " ON CONFLICT (prompt, unit) DO UPDATE"
          + " SET first_version = EXCLUDED.first_version, first_served_at = EXCLUDED.first_served_at"
          + " WHERE (EXCLUDED.first_served_at, EXCLUDED.first_version)"
          + " < (unit_exposures.first_served_at, unit_exposures.first_version)")
  int upsertExposureColumns(
      @Bind("prompts") String[] prompts,
      @Bind("units") String[] units,
      @Bind("versions") Integer[] versions,
      @Bind("timesMicros") Long[] timesMicros);

  /** Observations must carry their time ({@link Observation#withTimeIfMissing}). */
  @Transaction
  default IngestResult insertObservations(List<Observation> batch) {
    int n = batch.size();
    String[] requestIds = new String[n];
    String[] prompts = new String[n];
    Integer[] versions = new Integer[n];
    String[] units = new String[n];
    Long[] times = new Long[n];
    Double[] latencies = new Double[n];
    Integer[] inputTokens = new Integer[n];
    Integer[] outputTokens = new Integer[n];
    Double[] costs = new Double[n];
    Boolean[] errors = new Boolean[n];
    Boolean[] safetyFlags = new Boolean[n];
    Short[] feedback = new Short[n];
    for (int i = 0; i < n; i++) {
      Observation o = batch.get(i);
      requestIds[i] = o.requestId();
      prompts[i] = o.prompt();
      versions[i] = o.version();
      units[i] = Units.orRequest(o.unit(), o.requestId());
      times[i] = EpochMicros.of(o.observedAt());
      latencies[i] = o.latencyMs();
      inputTokens[i] = o.inputTokens();
      outputTokens[i] = o.outputTokens();
      costs[i] = o.cost();
      errors[i] = o.error();
      safetyFlags[i] = o.safetyFlag();
      feedback[i] = o.feedback() == null ? null : o.feedback().shortValue();
    }
    if (n == 0) {
      return new IngestResult(0, 0);
    }
    // Lock order, the same in every ingest transaction: latency locks, exposures, observations and
    // their sums,
    // judgements and their sums.
    lockLatencyShared(prompts);
    upsertExposureColumns(prompts, units, versions, times);
    int inserted =
        insertObservationColumns(
            requestIds,
            prompts,
            versions,
            units,
            times,
            latencies,
            inputTokens,
            outputTokens,
            costs,
            errors,
            safetyFlags,
            feedback);
    attributeEarlyJudgements(prompts, requestIds);
    return new IngestResult(inserted, n - inserted);
  }

  /**
   * Stores scores with their unit and serving time: the judgement's own, else its observation's
   * (same prompt and request id); both stay null when neither is known yet, until the observation's
   * insert sets them ({@link #attributeEarlyJudgements}). Adds the stored scores that have a unit
   * to {@code unit_judge_sums}, in the same statement; returns how many were stored.
   */
  @SqlQuery(
      "WITH ins AS (INSERT INTO judgements (request_id, judge, prompt, version, score, judged_at, unit, served_at)"
          + " SELECT x.r, x.j, x.p, x.v, x.s, "
          + OutcomeDao.MICROS_TO_TIMESTAMP
          + ", coalesce(x.u, o.unit),"
          + " coalesce(timestamptz 'epoch' + x.st * interval '1 microsecond', o.observed_at)"
          + " FROM unnest(:requestIds, :judges, :prompts, :versions, :scores, :timesMicros, :units, :servedMicros)"
          + " WITH ORDINALITY AS x(r, j, p, v, s, t, u, st, i)"
          + " LEFT JOIN observations o ON o.prompt = x.p AND o.request_id = x.r"
          + " ORDER BY x.i" // a repeated item keeps its first occurrence, as without the join
          + " ON CONFLICT (prompt, request_id, judge) DO NOTHING"
          + " RETURNING prompt, version, unit, judge, score),"
          + " sums AS (INSERT INTO unit_judge_sums (prompt, version, unit, judge, scores, score_sum, failures)"
          + "  SELECT prompt, version, unit, judge, count(*), sum(score), 0 FROM ins WHERE unit IS NOT NULL"
          + "  GROUP BY prompt, version, unit, judge ORDER BY prompt, version, unit, judge"
          + JUDGE_SUMS_ADD
          + ")"
          + " SELECT count(*) FROM ins")
  int insertJudgementColumns(
      @Bind("requestIds") String[] requestIds,
      @Bind("judges") String[] judges,
      @Bind("prompts") String[] prompts,
      @Bind("versions") Integer[] versions,
      @Bind("scores") Double[] scores,
      @Bind("timesMicros") Long[] timesMicros,
      @Bind("units") String[] units,
      @Bind("servedMicros") Long[] servedMicros);

  /**
   * Judgements must carry their time ({@link Judgement#withTimeIfMissing}). One that names its unit
   * also exposes the unit, at its serving time or else its judging time (an earlier observation of
   * the unit wins).
   */
  @Transaction
  default IngestResult insertJudgements(List<Judgement> batch) {
    int n = batch.size();
    String[] requestIds = new String[n];
    String[] judges = new String[n];
    String[] prompts = new String[n];
    Integer[] versions = new Integer[n];
    Double[] scores = new Double[n];
    Long[] times = new Long[n];
    String[] units = new String[n];
    Long[] served = new Long[n];
    List<Integer> exposing = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Judgement j = batch.get(i);
      requestIds[i] = j.requestId();
      judges[i] = j.judge();
      prompts[i] = j.prompt();
      versions[i] = j.version();
      scores[i] = j.score();
      times[i] = EpochMicros.of(j.judgedAt());
      units[i] = j.unit() == null || j.unit().isEmpty() ? null : j.unit();
      served[i] = j.servedAt() == null ? null : EpochMicros.of(j.servedAt());
      if (units[i] != null) {
        exposing.add(i);
      }
    }
    if (!exposing.isEmpty()) {
      int m = exposing.size();
      String[] p = new String[m];
      String[] u = new String[m];
      Integer[] v = new Integer[m];
      Long[] t = new Long[m];
      for (int k = 0; k < m; k++) {
        int i = exposing.get(k);
        p[k] = prompts[i];
        u[k] = units[i];
        v[k] = versions[i];
        t[k] = served[i] != null ? served[i] : times[i];
      }
      upsertExposureColumns(p, u, v, t);
    }
    int inserted =
        n == 0
            ? 0
            : insertJudgementColumns(
                requestIds, judges, prompts, versions, scores, times, units, served);
    return new IngestResult(inserted, n - inserted);
  }

  /**
   * Stores a judge attempt that gave no score; a second failure of the same request and judge is
   * ignored.
   */
  default boolean insertJudgeFailure(JudgeFailure f) {
    String reason = f.reason() == null ? "" : f.reason();
    String unit = f.unit() == null || f.unit().isEmpty() ? null : f.unit();
    return insertJudgeFailureRow(
            f.requestId(),
            f.judge(),
            f.prompt(),
            f.version(),
            reason.length() > 500 ? reason.substring(0, 500) : reason,
            f.failedAt(),
            unit,
            f.servedAt())
        == 1;
  }

  @SqlQuery(
      "WITH ins AS (INSERT INTO judge_failures (request_id, judge, prompt, version, reason, failed_at, unit,"
          + " served_at)"
          + " SELECT :requestId, :judge, :prompt, :version, :reason, :failedAt,"
          + " coalesce(CAST(:unit AS text), o.unit), coalesce(CAST(:servedAt AS timestamptz), o.observed_at)"
          + " FROM (VALUES (1)) AS one LEFT JOIN observations o ON o.prompt = :prompt AND o.request_id = :requestId"
          + " ON CONFLICT (prompt, request_id, judge) DO NOTHING"
          + " RETURNING prompt, version, unit, judge),"
          + " sums AS (INSERT INTO unit_judge_sums (prompt, version, unit, judge, scores, score_sum, failures)"
          + "  SELECT prompt, version, unit, judge, 0, 0, 1 FROM ins WHERE unit IS NOT NULL"
          + JUDGE_SUMS_ADD
          + ")"
          + " SELECT count(*) FROM ins")
  int insertJudgeFailureRow(
      @Bind("requestId") String requestId,
      @Bind("judge") String judge,
      @Bind("prompt") String prompt,
      @Bind("version") int version,
      @Bind("reason") String reason,
      @Bind("failedAt") Instant failedAt,
      @Bind("unit") String unit,
      @Bind("servedAt") Instant servedAt);

  @SqlQuery(
      "WITH ins AS (INSERT INTO outcome_metrics (prompt, version, unit, request_id, name, value, observed_at)"
          + " SELECT p, v, u, r, n, x, "
          + OutcomeDao.MICROS_TO_TIMESTAMP
          + " FROM unnest(:prompts, :versions, :units, :requestIds, :names, :values, :timesMicros)"
          + " WITH ORDINALITY AS x(p, v, u, r, n, x, t, i) ORDER BY i"
          + " ON CONFLICT (prompt, unit, request_id, name) DO NOTHING"
          + " RETURNING prompt, version, unit, name, value),"
          + " sums AS (INSERT INTO unit_metric_sums (prompt, version, unit, name, n, s)"
          + "  SELECT prompt, version, unit, name, count(*), sum(value) FROM ins"
          + "  GROUP BY prompt, version, unit, name ORDER BY prompt, version, unit, name"
          + "  ON CONFLICT (prompt, version, unit, name) DO UPDATE SET n = unit_metric_sums.n + EXCLUDED.n,"
          + "   s = unit_metric_sums.s + EXCLUDED.s)"
          + " SELECT count(*) FROM ins")
  int insertMetricColumns(
      @Bind("prompts") String[] prompts,
      @Bind("versions") Integer[] versions,
      @Bind("units") String[] units,
      @Bind("requestIds") String[] requestIds,
      @Bind("names") String[] names,
      @Bind("values") Double[] values,
      @Bind("timesMicros") Long[] timesMicros);

  /**
   * Metric values must carry their time ({@link OutcomeMetric#withTimeIfMissing}); a session value
   * has no request.
   */
  default IngestResult insertMetrics(List<OutcomeMetric> batch) {
    int n = batch.size();
    String[] prompts = new String[n];
    Integer[] versions = new Integer[n];
    String[] units = new String[n];
    String[] requestIds = new String[n];
    String[] names = new String[n];
    Double[] values = new Double[n];
    Long[] times = new Long[n];
    for (int i = 0; i < n; i++) {
      OutcomeMetric m = batch.get(i);
      prompts[i] = m.prompt();
      versions[i] = m.version();
      units[i] = m.unit();
      requestIds[i] = m.requestId() == null ? "" : m.requestId();
      names[i] = m.name();
      values[i] = m.value();
      times[i] = EpochMicros.of(m.observedAt());
    }
    int inserted = insertMetricColumns(prompts, versions, units, requestIds, names, values, times);
    return new IngestResult(inserted, n - inserted);
  }
}
