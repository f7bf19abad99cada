package dev.promptcanary.activities.store;

// The look's queries as they were before migration V7, over the raw rows: the reference the
// aggregates are checked
// against. Copied unchanged from AnalysisDao at the commit before V7, apart from this name and
// comment; the row
// types, the stage-units clause and the cut queries (unchanged by V7) are AnalysisDao's own.

import dev.promptcanary.activities.store.AnalysisDao.ArmSums;
import dev.promptcanary.activities.store.AnalysisDao.FailureCount;
import dev.promptcanary.activities.store.AnalysisDao.Sums;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/**
 * The sufficient statistics of one stage, summed per randomisation unit where the rows are.
 *
 * <p>A stage's units are those <b>first exposed</b> in it ({@code unit_exposures.first_served_at >=
 * since}) whose first version is one of the two arms; a unit's arm is its first version. Every
 * metric sums, per unit, the unit's requests on that version whenever their outcome arrived (a late
 * judge score counts in the stage its request's unit was exposed in, never by {@code judged_at}),
 * and then per arm the unit sums {@code count(units), sum(N), sum(S), sum(N^2), sum(S^2), sum(N
 * S)}. Units first exposed in an earlier stage (sessions pinned across a weight change) belong to
 * that stage and to no later one.
 */
public interface RawAnalysisDao {
  String STAGE_UNITS = AnalysisDao.STAGE_UNITS;
  String JUDGE_SCAN_MARGIN = AnalysisDao.JUDGE_SCAN_MARGIN;

  @SqlQuery(
      "WITH "
          + STAGE_UNITS
          + ","
          + " per AS (SELECT u.version, u.unit, count(o.request_id) AS n,"
          + "  count(*) FILTER (WHERE o.error) AS e, count(*) FILTER (WHERE o.safety_flag) AS f,"
          + "  count(o.cost) AS cn, coalesce(sum(o.cost), 0) AS cs,"
          + "  count(o.feedback) AS bn, coalesce(sum(o.feedback), 0) AS bs"
          + "  FROM u LEFT JOIN observations o"
          + "   ON o.prompt = :prompt AND o.unit = u.unit AND o.version = u.version AND o.observed_at >= :since"
          + "  GROUP BY u.version, u.unit)"
          + " SELECT version, count(*) AS units, count(*) FILTER (WHERE n > 0) AS request_units,"
          + "  coalesce(sum(n), 0) AS requests, coalesce(sum(n * n), 0) AS requests_sq,"
          + "  coalesce(sum(e), 0) AS errors, coalesce(sum(e * e), 0) AS errors_sq,"
          + "  coalesce(sum(n * e), 0) AS requests_errors,"
          + "  coalesce(sum(f), 0) AS safety, coalesce(sum(f * f), 0) AS safety_sq,"
          + "  coalesce(sum(n * f), 0) AS requests_safety,"
          + "  count(*) FILTER (WHERE cn > 0) AS cost_units, coalesce(sum(cn), 0) AS cost_n,"
          + "  coalesce(sum(cs), 0) AS cost_s, coalesce(sum(cn * cn), 0) AS cost_nn,"
          + "  coalesce(sum(cs * cs), 0) AS cost_ss, coalesce(sum(cn * cs), 0) AS cost_ns,"
          + "  count(*) FILTER (WHERE bn > 0) AS feedback_units, coalesce(sum(bn), 0) AS feedback_n,"
          + "  coalesce(sum(bs), 0) AS feedback_s, coalesce(sum(bn * bn), 0) AS feedback_nn,"
          + "  coalesce(sum(bs * bs), 0) AS feedback_ss, coalesce(sum(bn * bs), 0) AS feedback_ns"
          + " FROM per GROUP BY version")
  @RegisterConstructorMapper(ArmSums.class)
  List<ArmSums> arms(
      @Bind("prompt") String prompt,
      @Bind("a") int a,
      @Bind("b") int b,
      @Bind("since") Instant since);

  /** Judge scores per unit and arm, by judge ({@code key}). */
  @SqlQuery(
      "WITH "
          + STAGE_UNITS
          + ","
          + " j AS (SELECT coalesce(j.unit, o.unit) AS unit, j.version, j.judge, j.score FROM judgements j"
          + "  LEFT JOIN observations o ON j.unit IS NULL AND o.prompt = j.prompt AND o.request_id = j.request_id"
          + "  WHERE j.prompt = :prompt AND j.version IN (:a, :b) AND j.judged_at >= CAST(:since AS timestamptz)"
          + JUDGE_SCAN_MARGIN
          + "),"
          + " per AS (SELECT u.version, j.judge, u.unit, count(*) AS n, sum(j.score) AS s"
          + "  FROM j JOIN u ON u.unit = j.unit AND u.version = j.version GROUP BY u.version, j.judge, u.unit)"
          + " SELECT version, judge AS key, count(*) AS units, sum(n) AS n, sum(s) AS s, sum(n * n) AS nn,"
          + "  sum(s * s) AS ss, sum(n * s) AS ns FROM per GROUP BY version, judge")
  @RegisterConstructorMapper(Sums.class)
  List<Sums> scores(
      @Bind("prompt") String prompt,
      @Bind("a") int a,
      @Bind("b") int b,
      @Bind("since") Instant since);

  /** The rollout judge's failed attempts on the stage's units, per arm. */
  @SqlQuery(
      "WITH "
          + STAGE_UNITS
          + ""
          + " SELECT u.version, count(*) AS failures FROM judge_failures f"
          + "  LEFT JOIN observations o ON f.unit IS NULL AND o.prompt = f.prompt AND o.request_id = f.request_id"
          + "  JOIN u ON u.unit = coalesce(f.unit, o.unit) AND u.version = f.version"
          + " WHERE f.prompt = :prompt AND f.version IN (:a, :b) AND f.judge = :judge"
          + "  AND f.failed_at >= CAST(:since AS timestamptz)"
          + JUDGE_SCAN_MARGIN
          + " GROUP BY u.version")
  @RegisterConstructorMapper(FailureCount.class)
  List<FailureCount> judgeFailures(
      @Bind("prompt") String prompt,
      @Bind("a") int a,
      @Bind("b") int b,
      @Bind("judge") String judge,
      @Bind("since") Instant since);

  /** Custom outcome metrics per unit and arm, by name ({@code key}). */
  @SqlQuery(
      "WITH "
          + STAGE_UNITS
          + ","
          + " per AS (SELECT u.version, m.name, u.unit, count(*) AS n, sum(m.value) AS s FROM outcome_metrics m"
          + "  JOIN u ON u.unit = m.unit AND u.version = m.version WHERE m.prompt = :prompt"
          + "  GROUP BY u.version, m.name, u.unit)"
          + " SELECT version, name AS key, count(*) AS units, sum(n) AS n, sum(s) AS s, sum(n * n) AS nn,"
          + "  sum(s * s) AS ss, sum(n * s) AS ns FROM per GROUP BY version, name")
  @RegisterConstructorMapper(Sums.class)
  List<Sums> metrics(
      @Bind("prompt") String prompt,
      @Bind("a") int a,
      @Bind("b") int b,
      @Bind("since") Instant since);

  /**
   * Per unit and arm, the requests with a latency and how many were slower than each cut ({@code
   * key}: index).
   */
  @SqlQuery(
      "WITH "
          + STAGE_UNITS
          + ","
          + " c AS (SELECT i, cut FROM unnest(CAST(:cuts AS double precision[])) WITH ORDINALITY AS c(cut, i)),"
          + " per AS (SELECT u.version, c.i, u.unit, count(*) AS n, count(*) FILTER (WHERE o.latency_ms > c.cut) AS s"
          + "  FROM u JOIN observations o"
          + "   ON o.prompt = :prompt AND o.unit = u.unit AND o.version = u.version AND o.observed_at >= :since"
          + "  CROSS JOIN c GROUP BY u.version, c.i, u.unit)"
          + " SELECT version, CAST(i AS text) AS key, count(*) AS units, sum(n) AS n, sum(s) AS s, sum(n * n) AS nn,"
          + "  sum(s * s) AS ss, sum(n * s) AS ns FROM per GROUP BY version, i")
  @RegisterConstructorMapper(Sums.class)
  List<Sums> latencyAbove(
      @Bind("prompt") String prompt,
      @Bind("a") int a,
      @Bind("b") int b,
      @Bind("since") Instant since,
      @Bind("cuts") Double[] cuts);

  /**
   * The judge that tried either version first since {@code since}, scoring or failing: the judge a
   * rollout without one pins (so a judge that never manages a score is still the one held to
   * account).
   */
  @SqlQuery(
      "SELECT judge FROM (SELECT judge, judged_at AS at, request_id FROM judgements"
          + " WHERE prompt = :prompt AND version IN (:a, :b) AND judged_at >= :since"
          + " UNION ALL SELECT judge, failed_at AS at, request_id FROM judge_failures"
          + " WHERE prompt = :prompt AND version IN (:a, :b) AND failed_at >= :since) AS attempts"
          + " ORDER BY at, request_id LIMIT 1")
  Optional<String> firstJudge(
      @Bind("prompt") String prompt,
      @Bind("a") int a,
      @Bind("b") int b,
      @Bind("since") Instant since);
}
