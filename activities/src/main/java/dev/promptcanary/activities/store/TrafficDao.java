package dev.promptcanary.activities.store;

import java.time.Instant;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/**
 * How much traffic a prompt gets and how noisy its judge scores are: what the sample planner needs
 * to know.
 */
public interface TrafficDao {
  @SqlQuery("SELECT count(*) FROM observations WHERE prompt = :prompt AND observed_at >= :since")
  long requestsSince(@Bind("prompt") String prompt, @Bind("since") Instant since);

  /** Requests since {@code since} and when the first of them was observed (null without any). */
  record RecentRequests(long requests, Instant first) {}

  @SqlQuery(
      "SELECT count(*) AS requests, min(observed_at) AS first FROM observations"
          + " WHERE prompt = :prompt AND observed_at >= :since")
  @RegisterConstructorMapper(RecentRequests.class)
  RecentRequests recentRequests(@Bind("prompt") String prompt, @Bind("since") Instant since);

  @SqlQuery(
      "SELECT stddev_samp(score) FROM judgements WHERE prompt = :prompt AND version = :version"
          + " AND judged_at >= :since")
  Double scoreStandardDeviation(
      @Bind("prompt") String prompt, @Bind("version") int version, @Bind("since") Instant since);

  /**
   * One version's outcome profile, with the errors summed per unit (a request without a unit its
   * own unit) so the planner can measure the design effect.
   */
  record OutcomeProfile(
      long units,
      long requests,
      long errors,
      double errorsSq,
      double requestsSq,
      double requestsErrors,
      long safetyFlags,
      Double costMean,
      Double costSd) {}

  @SqlQuery(
      "SELECT count(*) AS units, coalesce(sum(n), 0) AS requests, coalesce(sum(e), 0) AS errors,"
          + " coalesce(sum(e * e), 0) AS errors_sq, coalesce(sum(n * n), 0) AS requests_sq,"
          + " coalesce(sum(n * e), 0) AS requests_errors, coalesce(sum(f), 0) AS safety_flags,"
          + " sum(c) / nullif(sum(cn), 0) AS cost_mean,"
          + " sqrt(greatest(0, (sum(cc) - sum(c) * sum(c) / nullif(sum(cn), 0)) / nullif(sum(cn) - 1, 0))) AS cost_sd"
          + " FROM (SELECT coalesce(unit, request_id) AS u, count(*)::float8 AS n,"
          + " (count(*) FILTER (WHERE error))::float8 AS e, count(*) FILTER (WHERE safety_flag) AS f,"
          + " sum(cost) AS c, sum(cost * cost) AS cc, count(cost) AS cn"
          + " FROM observations WHERE prompt = :prompt AND version = :version AND observed_at >= :since"
          + " GROUP BY 1) per_unit")
  @RegisterConstructorMapper(OutcomeProfile.class)
  OutcomeProfile outcomeProfile(
      @Bind("prompt") String prompt, @Bind("version") int version, @Bind("since") Instant since);

  /**
   * The sessions a stage that started {@code seconds} ago would have seen so far, for each of
   * {@code seconds}: the units of {@code version} first exposed since {@code now - seconds} and
   * their requests so far ({@code units}, {@code requests}, {@code requestsSq} the sum of each
   * unit's count squared), so the planner can measure the design effect of partial sessions ({@code
   * StageWindow}). A request reported without a unit is a unit of its own, as everywhere.
   */
  record WindowLengths(double seconds, long units, double requests, double requestsSq) {}

  @SqlQuery(
      "WITH per_unit AS (SELECT e.first_served_at AS first, count(*)::float8 AS n"
          + " FROM unit_exposures e JOIN observations o"
          + " ON o.prompt = e.prompt AND o.unit = e.unit AND o.version = e.first_version"
          + " WHERE e.prompt = :prompt AND e.first_version = :version AND e.first_served_at >= :since"
          + " AND o.observed_at <= :now GROUP BY e.unit, e.first_served_at)"
          + " SELECT w.seconds, count(p.n) AS units, coalesce(sum(p.n), 0) AS requests,"
          + " coalesce(sum(p.n * p.n), 0) AS requests_sq"
          + " FROM unnest(CAST(:seconds AS float8[])) AS w(seconds)"
          + " LEFT JOIN per_unit p ON p.first >= CAST(:now AS timestamptz) - w.seconds * interval '1 second'"
          + " AND p.first <= :now GROUP BY w.seconds ORDER BY w.seconds")
  @RegisterConstructorMapper(WindowLengths.class)
  java.util.List<WindowLengths> windowLengths(
      @Bind("prompt") String prompt,
      @Bind("version") int version,
      @Bind("since") Instant since,
      @Bind("now") Instant now,
      @Bind("seconds") double[] seconds);
}
