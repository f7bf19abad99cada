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
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
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
 *
 * <p>And the running totals of those aggregates per minute of first exposure (migration V8, {@code
 * unit_totals}): every statement that changes a unit's aggregate row also reports contribution(new
 * row) - contribution(old row) for the unit's first version and minute, and a unit whose first
 * exposure moves takes its contribution along ({@link #moveExposures}). Every such change is made
 * while the transaction holds the lock of the unit's {@code unit_exposures} row ({@link
 * #lockExposures}, the first statement after the latency locks), so the old row a statement reads
 * is the row it replaces. The reports are added up in Java ({@link TotalDeltas}) and written by one
 * statement at the end of the transaction ({@link #addTotals}), in key order, so the totals' rows,
 * which every batch of a prompt's minute shares, are locked only from then until the commit.
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
   * had started when they were served. One statement, so the aggregates move with the rows. Returns
   * the changes to {@code unit_totals} of the units whose first version they are (the old rows are
   * read in the statement's snapshot: the caller holds the units' exposure locks, so no other
   * transaction changes them) and how many rows were stored ({@link TotalDeltas#STORED}). A
   * repeated request id keeps its first occurrence. The caller holds the prompts' shared latency
   * locks ({@link #lockLatencyShared}), taken in an earlier statement so that this one sees every
   * track whose backfill missed these rows.
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
          + " agg AS (SELECT prompt, version, unit, count(*) AS requests, count(*) FILTER (WHERE error) AS errors,"
          + "  count(*) FILTER (WHERE safety_flag) AS safety, count(cost) AS cost_n, coalesce(sum(cost), 0) AS cost_s,"
          + "  count(feedback) AS feedback_n, coalesce(sum(feedback), 0) AS feedback_s"
          + "  FROM ins GROUP BY prompt, version, unit),"
          + " sums AS (INSERT INTO unit_sums (prompt, version, unit, requests, errors, safety, cost_n, cost_s,"
          + "  feedback_n, feedback_s)"
          + "  SELECT prompt, version, unit, requests, errors, safety, cost_n, cost_s, feedback_n, feedback_s"
          + "  FROM agg ORDER BY prompt, version, unit"
          + "  ON CONFLICT (prompt, version, unit) DO UPDATE SET requests = unit_sums.requests + EXCLUDED.requests,"
          + "   errors = unit_sums.errors + EXCLUDED.errors, safety = unit_sums.safety + EXCLUDED.safety,"
          + "   cost_n = unit_sums.cost_n + EXCLUDED.cost_n, cost_s = unit_sums.cost_s + EXCLUDED.cost_s,"
          + "   feedback_n = unit_sums.feedback_n + EXCLUDED.feedback_n,"
          + "   feedback_s = unit_sums.feedback_s + EXCLUDED.feedback_s),"
          + " lagg AS (SELECT t.id AS track, ins.prompt, ins.version, ins.unit, count(*) AS requests,"
          + "  latency_above_counts(array_agg(ins.latency_ms), t.cuts) AS above"
          + "  FROM ins JOIN latency_tracks t ON t.prompt = ins.prompt AND ins.version = ANY (t.versions)"
          + "   AND ins.observed_at >= t.since"
          + "  GROUP BY t.id, t.cuts, ins.prompt, ins.version, ins.unit),"
          + " lat AS (INSERT INTO unit_latency (track, version, unit, requests, above)"
          + "  SELECT track, version, unit, requests, above FROM lagg ORDER BY track, version, unit"
          + "  ON CONFLICT (track, version, unit) DO UPDATE SET requests = unit_latency.requests + EXCLUDED.requests,"
          + "   above = add_counts(unit_latency.above, EXCLUDED.above)),"
          // the new rows are computed as the upserts compute them, so new - old is the change
          // per unit its old and new row (computed as the upsert computes it), summed per minute as
          // new - old before the moments are laid out as rows: arithmetic per unit, rows per minute
          + " k AS (SELECT a.prompt, a.version, unit_bucket(e.first_served_at) AS bucket,"
          + "  CAST(coalesce(o.requests, 0) AS float8) AS n0, CAST(coalesce(o.requests, 0) + a.requests AS float8) AS n1,"
          + "  CAST(coalesce(o.errors, 0) AS float8) AS e0, CAST(coalesce(o.errors, 0) + a.errors AS float8) AS e1,"
          + "  CAST(coalesce(o.safety, 0) AS float8) AS f0, CAST(coalesce(o.safety, 0) + a.safety AS float8) AS f1,"
          + "  CAST(coalesce(o.cost_n, 0) AS float8) AS cn0, CAST(coalesce(o.cost_n, 0) + a.cost_n AS float8) AS cn1,"
          + "  coalesce(o.cost_s, 0) AS cs0, CASE WHEN o.unit IS NULL THEN a.cost_s ELSE o.cost_s + a.cost_s END AS cs1,"
          + "  CAST(coalesce(o.feedback_n, 0) AS float8) AS bn0,"
          + "  CAST(coalesce(o.feedback_n, 0) + a.feedback_n AS float8) AS bn1,"
          + "  CAST(coalesce(o.feedback_s, 0) AS float8) AS bs0,"
          + "  CAST(coalesce(o.feedback_s, 0) + a.feedback_s AS float8) AS bs1"
          + "  FROM agg a JOIN unit_exposures e ON e.prompt = a.prompt AND e.unit = a.unit AND e.first_version = a.version"
          + "  LEFT JOIN unit_sums o ON o.prompt = a.prompt AND o.version = a.version AND o.unit = a.unit),"
          + " g AS (SELECT prompt, version, bucket, CAST(sum(sign(n1) - sign(n0)) AS bigint) AS un, sum(n1 - n0) AS dn,"
          + "  sum(n1 * n1 - n0 * n0) AS dnn, sum(e1 - e0) AS de, sum(e1 * e1 - e0 * e0) AS dee,"
          + "  sum(n1 * e1 - n0 * e0) AS dne, sum(f1 - f0) AS df, sum(f1 * f1 - f0 * f0) AS dff,"
          + "  sum(n1 * f1 - n0 * f0) AS dnf, CAST(sum(sign(cn1) - sign(cn0)) AS bigint) AS uc, sum(cn1 - cn0) AS dcn,"
          + "  sum(cn1 * cn1 - cn0 * cn0) AS dcnn, sum(cs1 - cs0) AS dcs, sum(cs1 * cs1 - cs0 * cs0) AS dcss,"
          + "  sum(cn1 * cs1 - cn0 * cs0) AS dcns, CAST(sum(sign(bn1) - sign(bn0)) AS bigint) AS ub,"
          + "  sum(bn1 - bn0) AS dbn, sum(bn1 * bn1 - bn0 * bn0) AS dbnn, sum(bs1 - bs0) AS dbs,"
          + "  sum(bs1 * bs1 - bs0 * bs0) AS dbss, sum(bn1 * bs1 - bn0 * bs0) AS dbns FROM k GROUP BY prompt, version, bucket),"
          + " d AS (SELECT g.prompt, g.version, g.bucket, c.metric, c.units, c.n, c.s, c.nn, c.ss, c.ns FROM g"
          + "  CROSS JOIN LATERAL (VALUES ('errors', g.un, g.dn, g.de, g.dnn, g.dee, g.dne),"
          + "   ('safety', g.un, g.dn, g.df, g.dnn, g.dff, g.dnf), ('cost', g.uc, g.dcn, g.dcs, g.dcnn, g.dcss, g.dcns),"
          + "   ('feedback', g.ub, g.dbn, g.dbs, g.dbnn, g.dbss, g.dbns)) AS c(metric, units, n, s, nn, ss, ns)"
          + "  UNION ALL SELECT l.prompt, l.version, unit_bucket(e.first_served_at), 'latency:' || l.track || ':' || c.cut,"
          + "   0, 0, c.s, 0, c.ss, c.ns"
          + "  FROM lagg l JOIN unit_exposures e ON e.prompt = l.prompt AND e.unit = l.unit AND e.first_version = l.version"
          + "  LEFT JOIN unit_latency o ON o.track = l.track AND o.version = l.version AND o.unit = l.unit"
          + "  CROSS JOIN LATERAL (SELECT cut, s, ss, ns FROM latency_contributions(coalesce(o.requests, 0) + l.requests,"
          + "    CASE WHEN o.unit IS NULL THEN l.above ELSE add_counts(o.above, l.above) END)"
          + "   UNION ALL SELECT cut, -s, -ss, -ns FROM latency_contributions(o.requests, o.above)) AS c)"
          + TOTALS_OF_D
          + " UNION ALL SELECT NULL, NULL, NULL, '"
          + TotalDeltas.STORED
          + "', count(*), 0, 0, 0, 0, 0 FROM ins")
  @RegisterConstructorMapper(TotalDeltas.Delta.class)
  List<TotalDeltas.Delta> insertObservationColumns(
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

  /** The changes {@code d} lists, summed per totals row, leaving out rows that do not change. */
  String TOTALS_OF_D =
      " SELECT prompt, version, bucket, metric, sum(units) AS units, sum(n) AS n, sum(s) AS s, sum(nn) AS nn,"
          + " sum(ss) AS ss, sum(ns) AS ns FROM d GROUP BY prompt, version, bucket, metric"
          + " HAVING sum(units) <> 0 OR sum(n) <> 0 OR sum(s) <> 0 OR sum(nn) <> 0 OR sum(ss) <> 0 OR sum(ns) <> 0";

  /**
   * The change to the judge's totals of each unit in {@code agg} (per unit and judge: {@code
   * scores}, {@code score_sum} added) on its first version, from the unit's {@code unit_judge_sums}
   * row in the statement's snapshot, as CTE {@code d}. Only scores count; failures do not.
   */
  String SCORE_DELTAS =
      " d AS (SELECT k.prompt, k.version, unit_bucket(e.first_served_at) AS bucket, 'score:' || k.judge AS metric,"
          + "  CAST(sign(k.n1) - sign(k.n0) AS bigint) AS units, CAST(k.n1 - k.n0 AS float8) AS n, k.s1 - k.s0 AS s,"
          + "  CAST(k.n1 * k.n1 - k.n0 * k.n0 AS float8) AS nn, k.s1 * k.s1 - k.s0 * k.s0 AS ss,"
          + "  k.n1 * k.s1 - k.n0 * k.s0 AS ns"
          + "  FROM (SELECT a.prompt, a.version, a.unit, a.judge, coalesce(o.scores, 0) AS n0,"
          + "    coalesce(o.score_sum, 0) AS s0, coalesce(o.scores, 0) + a.scores AS n1,"
          + "    CASE WHEN o.unit IS NULL THEN a.score_sum ELSE o.score_sum + a.score_sum END AS s1"
          + "   FROM agg a LEFT JOIN unit_judge_sums o"
          + "    ON o.prompt = a.prompt AND o.version = a.version AND o.unit = a.unit AND o.judge = a.judge"
          + "   WHERE a.scores > 0) AS k"
          + "  JOIN unit_exposures e ON e.prompt = k.prompt AND e.unit = k.unit AND e.first_version = k.version)";

  /** Adds one transaction's changes to {@code unit_totals}, in key order. */
  @SqlUpdate(
      "INSERT INTO unit_totals (prompt, version, bucket, metric, units, n, s, nn, ss, ns)"
          + " SELECT p, v, "
          + OutcomeDao.MICROS_TO_TIMESTAMP
          + ", m, u, n, s, nn, ss, ns"
          + " FROM unnest(:prompts, :versions, :buckets, :metrics, :units, :n, :s, :nn, :ss, :ns)"
          + " AS x(p, v, t, m, u, n, s, nn, ss, ns) ORDER BY p, v, t, m"
          + " ON CONFLICT (prompt, version, bucket, metric) DO UPDATE SET units = unit_totals.units + EXCLUDED.units,"
          + " n = unit_totals.n + EXCLUDED.n, s = unit_totals.s + EXCLUDED.s, nn = unit_totals.nn + EXCLUDED.nn,"
          + " ss = unit_totals.ss + EXCLUDED.ss, ns = unit_totals.ns + EXCLUDED.ns")
  void addTotals(
      @Bind("prompts") String[] prompts,
      @Bind("versions") Integer[] versions,
      @Bind("buckets") Long[] bucketsMicros,
      @Bind("metrics") String[] metrics,
      @Bind("units") Long[] units,
      @Bind("n") Double[] n,
      @Bind("s") Double[] s,
      @Bind("nn") Double[] nn,
      @Bind("ss") Double[] ss,
      @Bind("ns") Double[] ns);

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
   * statement; returns the change to the totals. The stored observation decides, as it did when the
   * look joined it; only an observation of a unit in this batch (whose exposure lock the caller
   * holds) attributes.
   */
  @SqlQuery(
      "WITH x AS (SELECT DISTINCT p, r, u FROM unnest(CAST(:prompts AS text[]), CAST(:requestIds AS text[]),"
          + "  CAST(:units AS text[])) AS x(p, r, u)),"
          + " js AS (UPDATE judgements j SET unit = o.unit, served_at = o.observed_at FROM x, observations o"
          + "  WHERE j.prompt = x.p AND j.request_id = x.r AND j.unit IS NULL"
          + "   AND o.prompt = x.p AND o.request_id = x.r AND o.unit = x.u"
          + "  RETURNING j.prompt, j.version, j.unit, j.judge, j.score),"
          + " fs AS (UPDATE judge_failures f SET unit = o.unit, served_at = o.observed_at FROM x, observations o"
          + "  WHERE f.prompt = x.p AND f.request_id = x.r AND f.unit IS NULL"
          + "   AND o.prompt = x.p AND o.request_id = x.r AND o.unit = x.u"
          + "  RETURNING f.prompt, f.version, f.unit, f.judge),"
          + " items AS (SELECT prompt, version, unit, judge, 1 AS scores, score AS score_sum, 0 AS failures FROM js"
          + "  UNION ALL SELECT prompt, version, unit, judge, 0, 0, 1 FROM fs),"
          + " agg AS (SELECT prompt, version, unit, judge, sum(scores) AS scores, sum(score_sum) AS score_sum,"
          + "  sum(failures) AS failures FROM items GROUP BY prompt, version, unit, judge),"
          + " sums AS (INSERT INTO unit_judge_sums (prompt, version, unit, judge, scores, score_sum, failures)"
          + "  SELECT prompt, version, unit, judge, scores, score_sum, failures FROM agg"
          + "  ORDER BY prompt, version, unit, judge"
          + JUDGE_SUMS_ADD
          + "),"
          + SCORE_DELTAS
          + TOTALS_OF_D)
  @RegisterConstructorMapper(TotalDeltas.Delta.class)
  List<TotalDeltas.Delta> attributeEarlyJudgements(
      @Bind("prompts") String[] prompts,
      @Bind("requestIds") String[] requestIds,
      @Bind("units") String[] units);

  /** How an upsert into {@code unit_judge_sums} adds to the unit's row. */
  String JUDGE_SUMS_ADD =
      " ON CONFLICT (prompt, version, unit, judge) DO UPDATE SET scores = unit_judge_sums.scores + EXCLUDED.scores,"
          + " score_sum = unit_judge_sums.score_sum + EXCLUDED.score_sum,"
          + " failures = unit_judge_sums.failures + EXCLUDED.failures";

  /**
   * The batch's servings per unit, earliest first (ties to the lower version), as CTE {@code x}.
   */
  String EARLIEST_SERVINGS =
      "x AS (SELECT DISTINCT ON (p, u) p, u, v, "
          + OutcomeDao.MICROS_TO_TIMESTAMP
          + " AS ts FROM unnest(CAST(:prompts AS text[]), CAST(:units AS text[]), CAST(:versions AS integer[]),"
          + " CAST(:timesMicros AS bigint[])) AS x(p, u, v, t) ORDER BY p, u, t, v)";

  /**
   * A unit's first exposure as it is, or a new one ({@code unit} null: {@code created} of them).
   */
  record Exposure(String prompt, String unit, int version, Instant bucket, long created) {}

  /**
   * Records new first exposures and locks every unit of the batch until the transaction ends: the
   * lock under which every change to a unit's aggregates and totals is made. Returns the units
   * created, counted per prompt, version and minute, and each unit whose stored exposure is later
   * than one of the given servings (it moves: {@link #moveExposures}), as it is now. Rows are taken
   * in key order, so concurrent batches lock them in the same order. ON CONFLICT DO UPDATE locks
   * the row whether or not its condition holds; where it holds, the update changes nothing.
   */
  @SqlQuery(
      "WITH "
          + EARLIEST_SERVINGS
          + ","
          + " up AS (INSERT INTO unit_exposures (prompt, unit, first_version, first_served_at)"
          + "  SELECT p, u, v, ts FROM x ORDER BY p, u"
          + "  ON CONFLICT (prompt, unit) DO UPDATE SET first_version = unit_exposures.first_version"
          + "  WHERE (EXCLUDED.first_served_at, EXCLUDED.first_version)"
          + "   < (unit_exposures.first_served_at, unit_exposures.first_version)"
          + "  RETURNING prompt, unit, first_version, first_served_at),"
          + " r AS (SELECT up.*, (up.first_served_at, up.first_version) = (x.ts, x.v) AS created"
          + "  FROM up JOIN x ON x.p = up.prompt AND x.u = up.unit)"
          + " SELECT prompt, CAST(NULL AS text) AS unit, first_version AS version,"
          + "  unit_bucket(first_served_at) AS bucket, count(*) AS created FROM r WHERE created"
          + "  GROUP BY prompt, first_version, unit_bucket(first_served_at)"
          + " UNION ALL SELECT prompt, unit, first_version, first_served_at, 0 FROM r WHERE NOT created")
  @RegisterConstructorMapper(Exposure.class)
  List<Exposure> lockExposures(
      @Bind("prompts") String[] prompts,
      @Bind("units") String[] units,
      @Bind("versions") Integer[] versions,
      @Bind("timesMicros") Long[] timesMicros);

  /**
   * Moves the first exposure of each unit with an earlier serving in the batch, and returns the
   * change to the totals: a unit that moves to another version or minute takes its whole
   * contribution (exposed, arm sums, scores, latency on every track) from the old place to the new.
   * A statement after {@link #lockExposures}, so it reads the units' rows as they are under the
   * lock.
   */
  @SqlQuery(
      "WITH "
          + EARLIEST_SERVINGS
          + ","
          + " old AS (SELECT e.prompt, e.unit, e.first_version AS v0, unit_bucket(e.first_served_at) AS b0,"
          + "  x.v AS v1, x.ts AS t1, unit_bucket(x.ts) AS b1"
          + "  FROM x JOIN unit_exposures e ON e.prompt = x.p AND e.unit = x.u"
          + "  WHERE (x.ts, x.v) < (e.first_served_at, e.first_version)),"
          + " upd AS (UPDATE unit_exposures e SET first_version = old.v1, first_served_at = old.t1 FROM old"
          + "  WHERE e.prompt = old.prompt AND e.unit = old.unit),"
          + " ends AS (SELECT prompt, unit, v0 AS version, b0 AS bucket, -1 AS sign FROM old WHERE (v0, b0) <> (v1, b1)"
          + "  UNION ALL SELECT prompt, unit, v1, b1, 1 FROM old WHERE (v0, b0) <> (v1, b1)),"
          + " d AS (SELECT prompt, version, bucket, 'exposed' AS metric, CAST(sign AS bigint) AS units,"
          + "   CAST(0 AS float8) AS n, CAST(0 AS float8) AS s, CAST(0 AS float8) AS nn, CAST(0 AS float8) AS ss,"
          + "   CAST(0 AS float8) AS ns FROM ends"
          + "  UNION ALL SELECT ends.prompt, ends.version, ends.bucket, c.metric, ends.sign * c.units,"
          + "   ends.sign * c.n, ends.sign * c.s, ends.sign * c.nn, ends.sign * c.ss, ends.sign * c.ns"
          + "  FROM ends JOIN unit_sums a ON a.prompt = ends.prompt AND a.version = ends.version AND a.unit = ends.unit"
          + "  CROSS JOIN LATERAL arm_contributions(a.requests, a.errors, a.safety, a.cost_n, a.cost_s, a.feedback_n,"
          + "   a.feedback_s) AS c"
          + "  UNION ALL SELECT ends.prompt, ends.version, ends.bucket, 'score:' || j.judge, ends.sign,"
          + "   ends.sign * j.scores, ends.sign * j.score_sum, ends.sign * j.scores * j.scores,"
          + "   ends.sign * j.score_sum * j.score_sum, ends.sign * j.scores * j.score_sum"
          + "  FROM ends JOIN unit_judge_sums j"
          + "   ON j.prompt = ends.prompt AND j.version = ends.version AND j.unit = ends.unit AND j.scores > 0"
          + "  UNION ALL SELECT ends.prompt, ends.version, ends.bucket, 'latency:' || t.id || ':' || c.cut, 0, 0,"
          + "   ends.sign * c.s, 0, ends.sign * c.ss, ends.sign * c.ns"
          + "  FROM ends JOIN latency_tracks t ON t.prompt = ends.prompt"
          + "  JOIN unit_latency l ON l.track = t.id AND l.version = ends.version AND l.unit = ends.unit"
          + "  CROSS JOIN LATERAL latency_contributions(l.requests, l.above) AS c)"
          + TOTALS_OF_D)
  @RegisterConstructorMapper(TotalDeltas.Delta.class)
  List<TotalDeltas.Delta> moveExposures(
      @Bind("prompts") String[] prompts,
      @Bind("units") String[] units,
      @Bind("versions") Integer[] versions,
      @Bind("timesMicros") Long[] timesMicros);

  /**
   * Records first exposures, per (prompt, unit) the earliest of the given servings and the stored
   * one (ties on the time go to the lower version, so the outcome does not depend on arrival
   * order), keeps the totals with them, and leaves every unit of the batch locked.
   */
  default void exposeUnits(
      String[] prompts, String[] units, Integer[] versions, Long[] times, TotalDeltas totals) {
    boolean moves = false;
    List<TotalDeltas.Delta> created = new ArrayList<>();
    for (Exposure e : lockExposures(prompts, units, versions, times)) {
      if (e.unit() == null) {
        created.add(
            new TotalDeltas.Delta(
                e.prompt(), e.version(), e.bucket(), "exposed", e.created(), 0, 0, 0, 0, 0));
      } else {
        moves = true;
      }
    }
    totals.add(created);
    if (moves) {
      totals.add(moveExposures(prompts, units, versions, times));
    }
  }

  /** Observations that carry their time. */
  default IngestResult insertObservations(List<Observation> batch) {
    return insertObservations(batch, null);
  }

  /** Observations, each at its own time or else at {@code arrivedAt}. */
  @Transaction
  default IngestResult insertObservations(List<Observation> batch, Instant arrivedAt) {
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
      times[i] = EpochMicros.of(ReportedTime.orArrival(o.observedAt(), arrivedAt, o.requestId()));
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
    // their sums, judgements and their sums, totals.
    lockLatencyShared(prompts);
    TotalDeltas totals = new TotalDeltas();
    exposeUnits(prompts, units, versions, times, totals);
    int inserted =
        totals.add(
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
                feedback));
    totals.add(attributeEarlyJudgements(prompts, requestIds, units));
    totals.writeTo(this);
    return new IngestResult(inserted, n - inserted);
  }

  /** The observation of a batch item's request ({@code i}: the item's index from 1). */
  record Served(int i, String unit, int version, Instant observedAt) {}

  /** The stored observations of the given requests. */
  @SqlQuery(
      "SELECT CAST(x.i AS integer) AS i, o.unit, o.version, o.observed_at"
          + " FROM unnest(CAST(:prompts AS text[]), CAST(:requestIds AS text[])) WITH ORDINALITY AS x(p, r, i)"
          + " JOIN observations o ON o.prompt = x.p AND o.request_id = x.r")
  @RegisterConstructorMapper(Served.class)
  List<Served> observationsOf(
      @Bind("prompts") String[] prompts, @Bind("requestIds") String[] requestIds);

  /**
   * Stores scores with the unit and serving time given (the judgement's own, else its
   * observation's, looked up by the caller under the unit's lock; both null when neither is known
   * yet, until the observation's insert sets them: {@link #attributeEarlyJudgements}). Adds the
   * stored scores that have a unit to {@code unit_judge_sums}, in the same statement; returns the
   * change to the totals and how many were stored.
   */
  @SqlQuery(
      "WITH ins AS (INSERT INTO judgements (request_id, judge, prompt, version, score, judged_at, unit, served_at)"
          + " SELECT x.r, x.j, x.p, x.v, x.s, "
          + OutcomeDao.MICROS_TO_TIMESTAMP
          + ", x.u, timestamptz 'epoch' + x.st * interval '1 microsecond'"
          + " FROM unnest(:requestIds, :judges, :prompts, :versions, :scores, :timesMicros, :units, :servedMicros)"
          + " WITH ORDINALITY AS x(r, j, p, v, s, t, u, st, i)"
          + " ORDER BY x.i" // a repeated item keeps its first occurrence
          + " ON CONFLICT (prompt, request_id, judge) DO NOTHING"
          + " RETURNING prompt, version, unit, judge, score),"
          + " agg AS (SELECT prompt, version, unit, judge, count(*) AS scores, sum(score) AS score_sum FROM ins"
          + "  WHERE unit IS NOT NULL GROUP BY prompt, version, unit, judge),"
          + " sums AS (INSERT INTO unit_judge_sums (prompt, version, unit, judge, scores, score_sum, failures)"
          + "  SELECT prompt, version, unit, judge, scores, score_sum, 0 FROM agg ORDER BY prompt, version, unit, judge"
          + JUDGE_SUMS_ADD
          + "),"
          + SCORE_DELTAS
          + TOTALS_OF_D
          + " UNION ALL SELECT NULL, NULL, NULL, '"
          + TotalDeltas.STORED
          + "', count(*), 0, 0, 0, 0, 0 FROM ins")
  @RegisterConstructorMapper(TotalDeltas.Delta.class)
  List<TotalDeltas.Delta> insertJudgementColumns(
      @Bind("requestIds") String[] requestIds,
      @Bind("judges") String[] judges,
      @Bind("prompts") String[] prompts,
      @Bind("versions") Integer[] versions,
      @Bind("scores") Double[] scores,
      @Bind("timesMicros") Long[] timesMicros,
      @Bind("units") String[] units,
      @Bind("servedMicros") Long[] servedMicros);

  /** Judgements that carry their time. */
  default IngestResult insertJudgements(List<Judgement> batch) {
    return insertJudgements(batch, null);
  }

  /**
   * Judgements, each at its own time or else at {@code arrivedAt}. One that names its unit also
   * exposes the unit, at its serving time or else its judging time (an earlier observation of the
   * unit wins). Every unit a score is stored for is locked first (those taken from the observation
   * too), so the score's totals are kept under the lock.
   */
  @Transaction
  default IngestResult insertJudgements(List<Judgement> batch, Instant arrivedAt) {
    int n = batch.size();
    if (n == 0) {
      return new IngestResult(0, 0);
    }
    String[] requestIds = new String[n];
    String[] judges = new String[n];
    String[] prompts = new String[n];
    Integer[] versions = new Integer[n];
    Double[] scores = new Double[n];
    Long[] times = new Long[n];
    String[] units = new String[n];
    Long[] served = new Long[n];
    Integer[] lockVersions = new Integer[n];
    Long[] lockTimes = new Long[n];
    for (int i = 0; i < n; i++) {
      Judgement j = batch.get(i);
      requestIds[i] = j.requestId();
      judges[i] = j.judge();
      prompts[i] = j.prompt();
      versions[i] = j.version();
      scores[i] = j.score();
      times[i] = EpochMicros.of(ReportedTime.orArrival(j.judgedAt(), arrivedAt, j.requestId()));
      units[i] = j.unit() == null || j.unit().isEmpty() ? null : j.unit();
      served[i] = j.servedAt() == null ? null : EpochMicros.of(j.servedAt());
      lockVersions[i] = versions[i];
      lockTimes[i] = served[i] != null ? served[i] : times[i];
    }
    lockLatencyShared(
        prompts); // a named unit may move its exposure, and its latency totals with it
    for (Served o : observationsOf(prompts, requestIds)) {
      int i = o.i() - 1;
      if (units[i] == null) {
        // the observation's unit, locked at the observation's serving: its exposure is no later
        units[i] = o.unit();
        lockVersions[i] = o.version();
        lockTimes[i] = EpochMicros.of(o.observedAt());
      }
      if (served[i] == null) {
        served[i] = EpochMicros.of(o.observedAt());
      }
    }
    List<Integer> locked = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (units[i] != null) {
        locked.add(i);
      }
    }
    TotalDeltas totals = new TotalDeltas();
    if (!locked.isEmpty()) {
      int m = locked.size();
      String[] p = new String[m];
      String[] u = new String[m];
      Integer[] v = new Integer[m];
      Long[] t = new Long[m];
      for (int k = 0; k < m; k++) {
        int i = locked.get(k);
        p[k] = prompts[i];
        u[k] = units[i];
        v[k] = lockVersions[i];
        t[k] = lockTimes[i];
      }
      exposeUnits(p, u, v, t, totals);
    }
    int inserted =
        totals.add(
            insertJudgementColumns(
                requestIds, judges, prompts, versions, scores, times, units, served));
    totals.writeTo(this);
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

  /** Metric values that carry their time. */
  default IngestResult insertMetrics(List<OutcomeMetric> batch) {
    return insertMetrics(batch, null);
  }

  /**
   * Metric values, each at its own time or else at {@code arrivedAt}; a session value has no
   * request.
   */
  default IngestResult insertMetrics(List<OutcomeMetric> batch, Instant arrivedAt) {
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
      times[i] = EpochMicros.of(ReportedTime.orArrival(m.observedAt(), arrivedAt, m.name()));
    }
    int inserted = insertMetricColumns(prompts, versions, units, requestIds, names, values, times);
    return new IngestResult(inserted, n - inserted);
  }
}
