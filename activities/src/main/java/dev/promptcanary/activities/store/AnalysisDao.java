package dev.promptcanary.activities.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.jdbi.v3.sqlobject.SqlObject;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jdbi.v3.sqlobject.transaction.Transaction;

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
 *
 * <p>A look reads the per-unit aggregates that ingest keeps (migration V7; {@link OutcomeDao}),
 * never the requests: one row per unit of the stage in {@code unit_sums}, one per unit and judge in
 * {@code unit_judge_sums}, one per unit and metric in {@code unit_metric_sums}, one per unit in the
 * stage's {@code unit_latency} track.
 *
 * <p>And since migration V8 not even those for most of the stage: the arms, the scores and the
 * latency exceedances are read from {@code unit_totals}, the running totals ingest keeps of those
 * per-unit moments per version and minute of first exposure ({@link OutcomeDao}), for every minute
 * wholly inside the stage, and per unit only for the units of the minute the stage started in
 * ({@link #stage}). What is left per unit: the rollout's declared custom metrics (only those
 * names), the judge's failures (units with one), and scores that raced their observation (normally
 * none).
 */
public interface AnalysisDao extends SqlObject {

  /** The stage's units: first exposed at or after {@code :since}, first served one of the arms. */
  String STAGE_UNITS =
      "u AS (SELECT unit, first_version AS version FROM unit_exposures"
          + " WHERE prompt = :prompt AND first_served_at >= :since AND first_version IN (:a, :b))";

  /**
   * The stage's units first exposed before {@code :until}: those a look reads per unit. {@link
   * #NO_END} for all.
   */
  String UNITS_UNTIL =
      "u AS (SELECT unit, first_version AS version FROM unit_exposures"
          + " WHERE prompt = :prompt AND first_served_at >= :since AND first_served_at < :until"
          + " AND first_version IN (:a, :b))";

  /** An {@code until} after every exposure: the whole stage per unit. */
  Instant NO_END = Instant.parse("9999-01-01T00:00:00Z");

  /** The width of a {@code unit_totals} bucket (migration V8's {@code unit_bucket}). */
  long BUCKET_MICROS = 60_000_000L;

  /**
   * The first bucket boundary at or after {@code since}: the totals hold the stage's units first
   * exposed from then on, and the look reads the ones before it per unit.
   */
  static Instant totalsFrom(Instant since) {
    long micros = EpochMicros.of(since);
    long bucket = Math.floorDiv(micros + BUCKET_MICROS - 1, BUCKET_MICROS) * BUCKET_MICROS;
    return Instant.ofEpochSecond(
        Math.floorDiv(bucket, 1_000_000L), Math.floorMod(bucket, 1_000_000L) * 1_000L);
  }

  /** One metric's moments, summed over {@code unit_totals} rows (or per-unit rows) of a version. */
  record Total(
      int version, String metric, long units, double n, double s, double nn, double ss, double ns) {
    Total plus(Total o) {
      return new Total(
          version, metric, units + o.units, n + o.n, s + o.s, nn + o.nn, ss + o.ss, ns + o.ns);
    }
  }

  /**
   * The totals of the arms' units first exposed at or after {@code from} (a bucket boundary), per
   * version and metric.
   */
  @SqlQuery(
      "SELECT version, metric, CAST(sum(units) AS bigint) AS units, sum(n) AS n, sum(s) AS s, sum(nn) AS nn,"
          + " sum(ss) AS ss, sum(ns) AS ns FROM unit_totals"
          + " WHERE prompt = :prompt AND version IN (:a, :b) AND bucket >= :from GROUP BY version, metric")
  @RegisterConstructorMapper(Total.class)
  List<Total> totals(
      @Bind("prompt") String prompt,
      @Bind("a") int a,
      @Bind("b") int b,
      @Bind("from") Instant from);

  /**
   * Scores and failures are found through their unit: their own, else their observation's (a score
   * that arrived before its observation is given its unit when the observation is stored, and added
   * to the aggregates then). The few that raced their observation and kept no unit are read from
   * the raw rows: a unit's items all come after its first serving, so {@code judged_at} only bounds
   * that scan; its margin allows for clocks of reporters that differ.
   */
  String JUDGE_SCAN_MARGIN = " - interval '1 hour'";

  /**
   * Per-unit sums of one arm's observations (requests; errors and safety flags per request; cost
   * per request with one; feedback per request with one). {@code units} counts every unit first
   * exposed on the arm (what the sample ratio check counts), {@code requestUnits} those with a
   * request.
   */
  record ArmSums(
      int version,
      long units,
      long requestUnits,
      double requests,
      double requestsSq,
      double errors,
      double errorsSq,
      double requestsErrors,
      double safety,
      double safetySq,
      double requestsSafety,
      long costUnits,
      double costN,
      double costS,
      double costNn,
      double costSs,
      double costNs,
      long feedbackUnits,
      double feedbackN,
      double feedbackS,
      double feedbackNn,
      double feedbackSs,
      double feedbackNs) {}

  /**
   * Per-unit sums of something counted and summed per unit (scores, a custom metric, latency
   * exceedances).
   */
  record Sums(
      int version, String key, long units, double n, double s, double nn, double ss, double ns) {}

  /** Judge attempts on one arm that gave no score, by the given judge. */
  record FailureCount(int version, long failures) {}

  /** The stored cut of a stage at one quantile. */
  record Cut(double quantile, double cutMs, String basis, int sampleSize) {}

  /** Quantiles of a set of latencies, and how many there were. */
  record Quantiles(long count, Double[] values) {}

  /** The arm sums, per version, of the stage's units ({@link #stage} without a latency track). */
  default List<ArmSums> arms(String prompt, int a, int b, Instant since) {
    return stage(prompt, a, b, since, null, 0, true).arms();
  }

  /**
   * The arms' sums, every judge's scores and, per cut of a latency track, the arms' exceedances of
   * the stage's units.
   */
  record StageRows(List<ArmSums> arms, List<Sums> scores, List<Sums> latency) {}

  /**
   * The stage's arms, scores and latency exceedances ({@code track} with {@code cuts} cuts; null:
   * none): with {@code useTotals}, the units first exposed from the first minute boundary at or
   * after {@code since} from {@code unit_totals} and the few before it per unit; without, every
   * unit per unit (what the look read before V8; the reference the totals are tested against).
   */
  default StageRows stage(
      String prompt, int a, int b, Instant since, Long track, int cuts, boolean useTotals) {
    Instant from = useTotals ? totalsFrom(since) : NO_END;
    Map<String, Total> sums = new LinkedHashMap<>();
    java.util.function.Consumer<Total> add =
        t -> sums.merge(t.version() + "|" + t.metric(), t, Total::plus);
    if (useTotals) {
      totals(prompt, a, b, from).forEach(add);
    }
    if (from.isAfter(since)) {
      armsAndLatencyPerUnit(prompt, a, b, since, from, track, cuts).forEach(add);
      boolean raced = hasUnattributedScores(prompt, a, b, since);
      List<Sums> perUnit =
          raced
              ? scoresWithUnattributed(prompt, a, b, since, from)
              : scoresAttributed(prompt, a, b, since, from);
      perUnit.forEach(r -> add.accept(scoreTotal(r)));
      if (raced && useTotals) {
        racedScores(prompt, a, b, since, from).forEach(r -> add.accept(scoreTotal(r)));
      }
    } else if (useTotals && hasUnattributedScores(prompt, a, b, since)) {
      racedScores(prompt, a, b, since, from).forEach(r -> add.accept(scoreTotal(r)));
    }
    List<ArmSums> arms = new ArrayList<>();
    List<Sums> latency = new ArrayList<>();
    List<Sums> scores = new ArrayList<>();
    for (int version : new TreeSet<>(List.of(a, b))) {
      Total exposed = sums.get(version + "|exposed");
      if (exposed == null || exposed.units() <= 0) {
        continue;
      }
      ArmSums arm = armSums(version, exposed.units(), sums);
      arms.add(arm);
      for (int i = 1; track != null && i <= cuts && arm.requestUnits() > 0; i++) {
        Total above = sums.get(version + "|latency:" + track + ":" + i);
        latency.add(
            new Sums(
                version,
                Integer.toString(i),
                arm.requestUnits(),
                arm.requests(),
                above == null ? 0 : above.s(),
                arm.requestsSq(),
                above == null ? 0 : above.ss(),
                above == null ? 0 : above.ns()));
      }
    }
    for (Total t : sums.values()) {
      if (t.metric().startsWith(SCORE) && t.units() > 0) {
        scores.add(
            new Sums(
                t.version(),
                t.metric().substring(SCORE.length()),
                t.units(),
                t.n(),
                t.s(),
                t.nn(),
                t.ss(),
                t.ns()));
      }
    }
    return new StageRows(arms, scores, latency);
  }

  /** The prefix of a judge's metric in {@code unit_totals}. */
  String SCORE = "score:";

  private static Total scoreTotal(Sums r) {
    return new Total(r.version(), SCORE + r.key(), r.units(), r.n(), r.s(), r.nn(), r.ss(), r.ns());
  }

  private static ArmSums armSums(int version, long units, Map<String, Total> sums) {
    Total zero = new Total(version, "", 0, 0, 0, 0, 0, 0);
    Total e = sums.getOrDefault(version + "|errors", zero);
    Total f = sums.getOrDefault(version + "|safety", zero);
    Total c = sums.getOrDefault(version + "|cost", zero);
    Total b = sums.getOrDefault(version + "|feedback", zero);
    return new ArmSums(
        version, units, e.units(), e.n(), e.nn(), e.s(), e.ss(), e.ns(), f.s(), f.ss(), f.ns(),
        c.units(), c.n(), c.s(), c.nn(), c.ss(), c.ns(), b.units(), b.n(), b.s(), b.nn(), b.ss(),
        b.ns());
  }

  /**
   * Per arm, the per-unit sums of the stage's units first exposed before {@code until} as {@code
   * unit_totals} rows: units exposed, the moments of errors, safety flags, cost and feedback (from
   * {@code unit_sums}) and, with a latency track of {@code cuts} cuts, per cut the units' requests
   * slower than it (from {@code unit_latency}): one pass over those units.
   */
  default List<Total> armsAndLatencyPerUnit(
      String prompt, int a, int b, Instant since, Instant until, Long track, int cuts) {
    boolean latency = track != null && cuts > 0;
    StringBuilder above = new StringBuilder();
    for (int i = 1; latency && i <= cuts; i++) {
      above
          .append(", coalesce(sum(above[")
          .append(i)
          .append("]), 0) AS s")
          .append(i)
          .append(", coalesce(sum(above[")
          .append(i)
          .append("] * above[")
          .append(i)
          .append("]), 0) AS ss")
          .append(i)
          .append(", coalesce(sum(n * above[")
          .append(i)
          .append("]), 0) AS ns")
          .append(i);
    }
    String sql =
        "WITH "
            + UNITS_UNTIL
            + ","
            + " per AS (SELECT u.version, u.unit, coalesce(a.requests, 0) AS n, coalesce(a.errors, 0) AS e,"
            + "  coalesce(a.safety, 0) AS f, coalesce(a.cost_n, 0) AS cn, coalesce(a.cost_s, 0) AS cs,"
            + "  coalesce(a.feedback_n, 0) AS bn, coalesce(a.feedback_s, 0) AS bs"
            + (latency ? ", l.above" : "")
            // one index probe per unit (LATERAL ... OFFSET 0 keeps the planner from hashing the
            // whole table for the few units of a stage's first minute)
            + "  FROM u LEFT JOIN LATERAL (SELECT * FROM unit_sums a WHERE a.prompt = :prompt AND a.version = u.version"
            + "   AND a.unit = u.unit OFFSET 0) AS a ON true"
            + (latency
                ? " LEFT JOIN LATERAL (SELECT above FROM unit_latency l WHERE l.track = :track AND l.version = u.version"
                    + "  AND l.unit = u.unit OFFSET 0) AS l ON true"
                : "")
            + ")"
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
            + above
            + " FROM per GROUP BY version";
    List<Total> rows = new ArrayList<>();
    org.jdbi.v3.core.mapper.RowMapper<ArmSums> armMapper =
        org.jdbi.v3.core.mapper.reflect.ConstructorMapper.of(ArmSums.class);
    var query =
        getHandle()
            .createQuery(sql)
            .bind("prompt", prompt)
            .bind("a", a)
            .bind("b", b)
            .bind("since", since)
            .bind("until", until);
    if (latency) {
      query.bind("track", track.longValue());
    }
    query
        .map(
            (rs, ctx) -> {
              ArmSums x = armMapper.map(rs, ctx);
              int v = x.version();
              rows.add(new Total(v, "exposed", x.units(), 0, 0, 0, 0, 0));
              rows.add(
                  new Total(
                      v,
                      "errors",
                      x.requestUnits(),
                      x.requests(),
                      x.errors(),
                      x.requestsSq(),
                      x.errorsSq(),
                      x.requestsErrors()));
              rows.add(
                  new Total(
                      v,
                      "safety",
                      x.requestUnits(),
                      x.requests(),
                      x.safety(),
                      x.requestsSq(),
                      x.safetySq(),
                      x.requestsSafety()));
              rows.add(
                  new Total(
                      v,
                      "cost",
                      x.costUnits(),
                      x.costN(),
                      x.costS(),
                      x.costNn(),
                      x.costSs(),
                      x.costNs()));
              rows.add(
                  new Total(
                      v,
                      "feedback",
                      x.feedbackUnits(),
                      x.feedbackN(),
                      x.feedbackS(),
                      x.feedbackNn(),
                      x.feedbackSs(),
                      x.feedbackNs()));
              for (int i = 1; latency && i <= cuts; i++) {
                rows.add(
                    new Total(
                        v,
                        "latency:" + track + ":" + i,
                        0,
                        0,
                        rs.getDouble("s" + i),
                        0,
                        rs.getDouble("ss" + i),
                        rs.getDouble("ns" + i)));
              }
              return x;
            })
        .list();
    return rows;
  }

  /**
   * Judge scores per unit and arm, by judge ({@code key}): each unit's row of {@code
   * unit_judge_sums}, plus the scores stored without a unit whose observation came in a racing
   * transaction (found through their observation, as before the aggregates; normally none).
   */
  @SqlQuery(
      "WITH "
          + UNITS_UNTIL
          + ","
          + " a AS (SELECT u.version, u.unit, s.judge, s.scores AS n, s.score_sum AS s FROM u JOIN LATERAL"
          + "  (SELECT * FROM unit_judge_sums s WHERE s.prompt = :prompt AND s.version = u.version AND s.unit = u.unit"
          + "   AND s.scores > 0 OFFSET 0) AS s ON true),"
          + " r AS (SELECT u.version, u.unit, j.judge, count(*) AS n, sum(j.score) AS s FROM judgements j"
          + "  JOIN observations o ON o.prompt = j.prompt AND o.request_id = j.request_id"
          + "  JOIN u ON u.unit = o.unit AND u.version = j.version"
          + "  WHERE j.prompt = :prompt AND j.unit IS NULL AND j.version IN (:a, :b)"
          + "   AND j.judged_at >= CAST(:since AS timestamptz)"
          + JUDGE_SCAN_MARGIN
          + "  GROUP BY u.version, u.unit, j.judge),"
          + " per AS (SELECT version, unit, judge, coalesce(a.n, 0) + coalesce(r.n, 0) AS n,"
          + "  coalesce(a.s, 0) + coalesce(r.s, 0) AS s FROM a FULL JOIN r USING (version, unit, judge))"
          + " SELECT version, judge AS key, count(*) AS units, sum(n) AS n, sum(s) AS s, sum(n * n) AS nn,"
          + "  sum(s * s) AS ss, sum(n * s) AS ns FROM per GROUP BY version, judge")
  @RegisterConstructorMapper(Sums.class)
  List<Sums> scoresWithUnattributed(
      @Bind("prompt") String prompt,
      @Bind("a") int a,
      @Bind("b") int b,
      @Bind("since") Instant since,
      @Bind("until") Instant until);

  /**
   * {@link #scoresWithUnattributed} when every score of the stage has its unit: the aggregates
   * alone.
   */
  @SqlQuery(
      "WITH "
          + UNITS_UNTIL
          + " SELECT u.version, s.judge AS key, count(*) AS units, sum(s.scores) AS n, sum(s.score_sum) AS s,"
          + "  sum(s.scores * s.scores) AS nn, sum(s.score_sum * s.score_sum) AS ss, sum(s.scores * s.score_sum) AS ns"
          + " FROM u JOIN LATERAL (SELECT * FROM unit_judge_sums s WHERE s.prompt = :prompt AND s.version = u.version"
          + "  AND s.unit = u.unit AND s.scores > 0 OFFSET 0) AS s ON true"
          + " GROUP BY u.version, s.judge")
  @RegisterConstructorMapper(Sums.class)
  List<Sums> scoresAttributed(
      @Bind("prompt") String prompt,
      @Bind("a") int a,
      @Bind("b") int b,
      @Bind("since") Instant since,
      @Bind("until") Instant until);

  /**
   * What the scores that raced their observation (no unit, observation stored) add to the judge's
   * moments of the stage's units first exposed at or after {@code from}, over what {@code
   * unit_totals} holds of those units: per unit and judge, the moments of its row plus the raced
   * scores less those of its row.
   */
  @SqlQuery(
      "WITH u AS (SELECT unit, first_version AS version FROM unit_exposures"
          + "  WHERE prompt = :prompt AND first_served_at >= :from AND first_version IN (:a, :b)),"
          + " r AS (SELECT u.version, u.unit, j.judge, count(*) AS n, sum(j.score) AS s FROM judgements j"
          + "  JOIN observations o ON o.prompt = j.prompt AND o.request_id = j.request_id"
          + "  JOIN u ON u.unit = o.unit AND u.version = j.version"
          + "  WHERE j.prompt = :prompt AND j.unit IS NULL AND j.version IN (:a, :b)"
          + "   AND j.judged_at >= CAST(:since AS timestamptz)"
          + JUDGE_SCAN_MARGIN
          + "  GROUP BY u.version, u.unit, j.judge),"
          + " k AS (SELECT r.version, r.judge, coalesce(s.scores, 0) AS n0, coalesce(s.score_sum, 0) AS s0,"
          + "  coalesce(s.scores, 0) + r.n AS n1, coalesce(s.score_sum, 0) + r.s AS s1 FROM r LEFT JOIN unit_judge_sums s"
          + "  ON s.prompt = :prompt AND s.version = r.version AND s.unit = r.unit AND s.judge = r.judge)"
          + " SELECT version, judge AS key, CAST(sum(sign(n1) - sign(n0)) AS bigint) AS units, sum(n1 - n0) AS n,"
          + "  sum(s1 - s0) AS s, sum(n1 * n1 - n0 * n0) AS nn, sum(s1 * s1 - s0 * s0) AS ss,"
          + "  sum(n1 * s1 - n0 * s0) AS ns FROM k GROUP BY version, judge")
  @RegisterConstructorMapper(Sums.class)
  List<Sums> racedScores(
      @Bind("prompt") String prompt,
      @Bind("a") int a,
      @Bind("b") int b,
      @Bind("since") Instant since,
      @Bind("from") Instant from);

  /**
   * Whether some score of the arms in the stage's scan window has no unit though its observation is
   * stored.
   */
  @SqlQuery(
      "SELECT EXISTS (SELECT 1 FROM judgements j WHERE j.prompt = :prompt AND j.unit IS NULL"
          + " AND j.version IN (:a, :b) AND j.judged_at >= CAST(:since AS timestamptz)"
          + JUDGE_SCAN_MARGIN
          + " AND EXISTS (SELECT 1 FROM observations o WHERE o.prompt = j.prompt AND o.request_id = j.request_id))")
  boolean hasUnattributedScores(
      @Bind("prompt") String prompt,
      @Bind("a") int a,
      @Bind("b") int b,
      @Bind("since") Instant since);

  /** Judge scores per unit and arm, by judge ({@code key}) ({@link #stage}). */
  default List<Sums> scores(String prompt, int a, int b, Instant since) {
    return stage(prompt, a, b, since, null, 0, true).scores();
  }

  /**
   * The rollout judge's failed attempts on the stage's units, per arm (the aggregates, plus any
   * without a unit).
   */
  @SqlQuery(
      "WITH items AS ("
          + " SELECT s.version, s.failures AS n FROM unit_judge_sums s JOIN unit_exposures e"
          + "  ON e.prompt = s.prompt AND e.unit = s.unit AND e.first_version = s.version"
          + "  WHERE s.prompt = :prompt AND s.judge = :judge AND s.version IN (:a, :b) AND s.failures > 0"
          + "   AND e.first_served_at >= :since"
          + " UNION ALL SELECT f.version, 1 FROM judge_failures f"
          + "  JOIN observations o ON o.prompt = f.prompt AND o.request_id = f.request_id"
          + "  JOIN unit_exposures e ON e.prompt = f.prompt AND e.unit = o.unit AND e.first_version = f.version"
          + "  WHERE f.prompt = :prompt AND f.unit IS NULL AND f.version IN (:a, :b) AND f.judge = :judge"
          + "   AND f.failed_at >= CAST(:since AS timestamptz)"
          + JUDGE_SCAN_MARGIN
          + "   AND e.first_served_at >= :since)"
          + " SELECT version, CAST(sum(n) AS bigint) AS failures FROM items GROUP BY version")
  @RegisterConstructorMapper(FailureCount.class)
  List<FailureCount> judgeFailures(
      @Bind("prompt") String prompt,
      @Bind("a") int a,
      @Bind("b") int b,
      @Bind("judge") String judge,
      @Bind("since") Instant since);

  /**
   * The named custom outcome metrics per unit and arm, by name ({@code key}); no names, no query.
   */
  default List<Sums> metrics(String prompt, int a, int b, Instant since, List<String> names) {
    return names.isEmpty()
        ? List.of()
        : metricsNamed(prompt, a, b, since, names.toArray(String[]::new));
  }

  @SqlQuery(
      "WITH "
          + STAGE_UNITS
          + " SELECT u.version, m.name AS key, count(*) AS units, sum(m.n) AS n, sum(m.s) AS s,"
          + "  sum(m.n * m.n) AS nn, sum(m.s * m.s) AS ss, sum(m.n * m.s) AS ns"
          + " FROM u JOIN unit_metric_sums m ON m.prompt = :prompt AND m.version = u.version AND m.unit = u.unit"
          + " AND m.name = ANY (CAST(:names AS text[]))"
          + " GROUP BY u.version, m.name")
  @RegisterConstructorMapper(Sums.class)
  List<Sums> metricsNamed(
      @Bind("prompt") String prompt,
      @Bind("a") int a,
      @Bind("b") int b,
      @Bind("since") Instant since,
      @Bind("names") String[] names);

  /**
   * Per unit and arm, the requests with a latency and how many were slower than each cut ({@code
   * key}: index, from 1), read from the stage's latency track, which the first call creates.
   */
  default List<Sums> latencyAbove(String prompt, int a, int b, Instant since, Double[] cuts) {
    long track =
        latencyTrack(prompt, a, b, since, cuts)
            .orElseGet(() -> trackLatency(prompt, a, b, since, cuts));
    return latencyAboveOnTrack(prompt, a, b, since, track, cuts.length);
  }

  /** {@link #latencyAbove} on a given track of {@code cuts} cuts. */
  default List<Sums> latencyAboveOnTrack(
      String prompt, int a, int b, Instant since, long track, int cuts) {
    return stage(prompt, a, b, since, track, cuts, true).latency();
  }

  /** What a look reads about a stage, in one snapshot. */
  record LookRows(
      List<ArmSums> arms,
      List<Sums> scores,
      List<Sums> metrics,
      List<Sums> latency,
      List<FailureCount> failures) {}

  /**
   * Memory for a look's hash joins and aggregates: a stage's units are hashed once per query (about
   * 40 bytes each), and at the default 4 MB a stage of 100 k units spills to disk.
   */
  String LOOK_WORK_MEM = "64MB";

  /**
   * Every read of a look in one read-only transaction, so they all see the same snapshot, with
   * {@link #LOOK_WORK_MEM}: the arms, every judge's scores and the latency track ({@code track},
   * null: no cuts yet) from the totals ({@link #stage}), the custom metrics of {@code metricNames}
   * and the failures of {@code judge} (null: not read).
   */
  @Transaction(
      value = org.jdbi.v3.core.transaction.TransactionIsolationLevel.REPEATABLE_READ,
      readOnly = true)
  default LookRows readLook(
      String prompt,
      int a,
      int b,
      Instant since,
      String judge,
      Long track,
      int cuts,
      List<String> metricNames) {
    getHandle().execute("SET LOCAL work_mem = '" + LOOK_WORK_MEM + "'");
    StageRows stage = stage(prompt, a, b, since, track, cuts, true);
    return new LookRows(
        stage.arms(),
        stage.scores(),
        metrics(prompt, a, b, since, metricNames),
        stage.latency(),
        judge == null ? List.of() : judgeFailures(prompt, a, b, judge, since));
  }

  /**
   * A track of these cuts and versions that started no later than {@code since}: it counts every
   * request of the units first exposed at or after {@code since}.
   */
  @SqlQuery(
      "SELECT id FROM latency_tracks WHERE prompt = :prompt AND since <= :since"
          + " AND versions @> ARRAY[:a, :b] AND cuts = CAST(:cuts AS double precision[]) ORDER BY since DESC LIMIT 1")
  Optional<Long> latencyTrack(
      @Bind("prompt") String prompt,
      @Bind("a") int a,
      @Bind("b") int b,
      @Bind("since") Instant since,
      @Bind("cuts") Double[] cuts);

  /**
   * Creates the stage's latency track and backfills it from the observations stored so far, holding
   * the prompt's latency lock exclusively: every batch that has not seen the track has committed
   * before the backfill reads, and every later batch sees it ({@link
   * OutcomeDao#lockLatencyShared}). Retires the prompt's tracks of earlier stages. A concurrent
   * look waits for the lock and then finds the track.
   */
  @Transaction
  default long trackLatency(String prompt, int a, int b, Instant since, Double[] cuts) {
    lockLatencyExclusive(prompt);
    Optional<Long> existing = latencyTrack(prompt, a, b, since, cuts);
    if (existing.isPresent()) {
      return existing.get();
    }
    retireLatencyRows(prompt, since);
    retireLatencyTotals(prompt, since);
    retireLatencyTracks(prompt, since);
    long track = insertLatencyTrack(prompt, since, Math.min(a, b), Math.max(a, b), cuts);
    backfillLatencyTrack(track);
    backfillLatencyTotals(track);
    analyseLatencyRows(); // a stage's worth of new rows: without statistics the look's plan would
    // probe per unit
    return track;
  }

  @SqlUpdate("ANALYZE unit_latency")
  void analyseLatencyRows();

  @SqlQuery(
      "SELECT CAST(pg_advisory_xact_lock("
          + OutcomeDao.LATENCY_LOCK_CLASS
          + ", hashtext(:prompt)) AS text)")
  String lockLatencyExclusive(@Bind("prompt") String prompt);

  @SqlUpdate(
      "DELETE FROM unit_latency WHERE track IN"
          + " (SELECT id FROM latency_tracks WHERE prompt = :prompt AND since < :since)")
  int retireLatencyRows(@Bind("prompt") String prompt, @Bind("since") Instant since);

  /** The totals of the tracks {@link #retireLatencyTracks} retires. */
  @SqlUpdate(
      "DELETE FROM unit_totals WHERE prompt = :prompt AND metric LIKE 'latency:%'"
          + " AND CAST(split_part(metric, ':', 2) AS bigint) IN"
          + " (SELECT id FROM latency_tracks WHERE prompt = :prompt AND since < :since)")
  int retireLatencyTotals(@Bind("prompt") String prompt, @Bind("since") Instant since);

  /**
   * A new track's totals from its backfilled rows (holding the exclusive latency lock, like the
   * backfill).
   */
  @SqlUpdate(
      "INSERT INTO unit_totals (prompt, version, bucket, metric, units, n, s, nn, ss, ns)"
          + " SELECT t.prompt, l.version, unit_bucket(e.first_served_at), 'latency:' || t.id || ':' || c.cut, 0, 0,"
          + "  sum(c.s), 0, sum(c.ss), sum(c.ns)"
          + " FROM latency_tracks t JOIN unit_latency l ON l.track = t.id"
          + " JOIN unit_exposures e ON e.prompt = t.prompt AND e.unit = l.unit AND e.first_version = l.version"
          + " CROSS JOIN LATERAL latency_contributions(l.requests, l.above) AS c"
          + " WHERE t.id = :track GROUP BY t.prompt, t.id, l.version, unit_bucket(e.first_served_at), c.cut")
  int backfillLatencyTotals(@Bind("track") long track);

  @SqlUpdate("DELETE FROM latency_tracks WHERE prompt = :prompt AND since < :since")
  int retireLatencyTracks(@Bind("prompt") String prompt, @Bind("since") Instant since);

  @SqlQuery(
      "INSERT INTO latency_tracks (prompt, since, versions, cuts)"
          + " VALUES (:prompt, :since, ARRAY[:low, :high], CAST(:cuts AS double precision[])) RETURNING id")
  long insertLatencyTrack(
      @Bind("prompt") String prompt,
      @Bind("since") Instant since,
      @Bind("low") int low,
      @Bind("high") int high,
      @Bind("cuts") Double[] cuts);

  @SqlUpdate(
      "INSERT INTO unit_latency (track, version, unit, requests, above)"
          + " SELECT t.id, o.version, o.unit, count(*), latency_above_counts(array_agg(o.latency_ms), t.cuts)"
          + " FROM latency_tracks t JOIN observations o"
          + "  ON o.prompt = t.prompt AND o.version = ANY (t.versions) AND o.observed_at >= t.since"
          + " WHERE t.id = :track GROUP BY t.id, t.cuts, o.version, o.unit")
  int backfillLatencyTrack(@Bind("track") long track);

  /**
   * The judge that tried either version first since {@code since}, scoring or failing: the judge a
   * rollout without one pins (so a judge that never manages a score is still the one held to
   * account). Each branch reads the first row of its index range.
   */
  @SqlQuery(
      "SELECT judge FROM ("
          + "(SELECT judge, judged_at AS at, request_id FROM judgements"
          + " WHERE prompt = :prompt AND version = :a AND judged_at >= :since ORDER BY judged_at, request_id LIMIT 1)"
          + " UNION ALL (SELECT judge, judged_at AS at, request_id FROM judgements"
          + " WHERE prompt = :prompt AND version = :b AND judged_at >= :since ORDER BY judged_at, request_id LIMIT 1)"
          + " UNION ALL (SELECT judge, failed_at AS at, request_id FROM judge_failures"
          + " WHERE prompt = :prompt AND version = :a AND failed_at >= :since ORDER BY failed_at, request_id LIMIT 1)"
          + " UNION ALL (SELECT judge, failed_at AS at, request_id FROM judge_failures"
          + " WHERE prompt = :prompt AND version = :b AND failed_at >= :since ORDER BY failed_at, request_id LIMIT 1)"
          + ") AS attempts ORDER BY at, request_id LIMIT 1")
  Optional<String> firstJudge(
      @Bind("prompt") String prompt,
      @Bind("a") int a,
      @Bind("b") int b,
      @Bind("since") Instant since);

  // ---- latency cuts, frozen per stage
  // ----------------------------------------------------------------------------

  @SqlQuery(
      "SELECT quantile, cut_ms, basis, sample_size FROM latency_cuts"
          + " WHERE rollout_id = :rolloutId AND stage_since = :since ORDER BY quantile")
  @RegisterConstructorMapper(Cut.class)
  List<Cut> cuts(@Bind("rolloutId") String rolloutId, @Bind("since") Instant since);

  /**
   * Stores a stage's cuts unless it has some already (a concurrent or retried look keeps the
   * first).
   */
  @SqlUpdate(
      "INSERT INTO latency_cuts (rollout_id, stage_since, quantile, cut_ms, basis, sample_size)"
          + " SELECT :rolloutId, :since, q, c, :basis, :sampleSize"
          + " FROM unnest(CAST(:quantiles AS double precision[]), CAST(:cutsMs AS double precision[])) AS x(q, c)"
          + " ON CONFLICT (rollout_id, stage_since, quantile) DO NOTHING")
  int storeCuts(
      @Bind("rolloutId") String rolloutId,
      @Bind("since") Instant since,
      @Bind("quantiles") Double[] quantiles,
      @Bind("cutsMs") Double[] cutsMs,
      @Bind("basis") String basis,
      @Bind("sampleSize") int sampleSize);

  /** Quantiles of the baseline's last {@code limit} latencies served before {@code before}. */
  @SqlQuery(
      "SELECT count(*) AS count,"
          + " percentile_cont(CAST(:quantiles AS double precision[])) WITHIN GROUP (ORDER BY latency_ms) AS values"
          + " FROM (SELECT latency_ms FROM observations WHERE prompt = :prompt AND version = :version"
          + "  AND observed_at < :before ORDER BY observed_at DESC LIMIT :limit) AS recent")
  @RegisterConstructorMapper(Quantiles.class)
  Quantiles quantilesBefore(
      @Bind("prompt") String prompt,
      @Bind("version") int version,
      @Bind("before") Instant before,
      @Bind("limit") int limit,
      @Bind("quantiles") Double[] quantiles);

  /** Quantiles of the latencies of the stage's baseline units ({@code :b}). */
  @SqlQuery(
      "WITH "
          + STAGE_UNITS
          + " SELECT count(*) AS count,"
          + " percentile_cont(CAST(:quantiles AS double precision[])) WITHIN GROUP (ORDER BY o.latency_ms) AS values"
          + " FROM u JOIN observations o ON o.prompt = :prompt AND o.unit = u.unit AND o.version = u.version"
          + "  AND o.observed_at >= :since WHERE u.version = :b")
  @RegisterConstructorMapper(Quantiles.class)
  Quantiles stageStableQuantiles(
      @Bind("prompt") String prompt,
      @Bind("a") int a,
      @Bind("b") int b,
      @Bind("since") Instant since,
      @Bind("quantiles") Double[] quantiles);
}
