package dev.promptcanary.activities.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/** The sufficient statistics the statistics engine needs, one aggregate query each, computed where the rows are. */
public interface AnalysisDao {

  /** Observations of one version: requests, errors, safety flags, and cost sums. */
  record OutcomeSums(
      int version, long requests, long errors, long safetyFlags, long costCount, double costSum, double costSumSquares) {}

  /** Latency of one version against a cut: requests with a latency, and how many were slower than the cut. */
  record LatencyCounts(int version, long requests, long above) {}

  /** Judge scores of one version by one judge: count, sum, sum of squares. */
  record JudgeScoreSums(int version, String judge, long count, double sum, double sumSquares) {}

  /** Judge attempts on one version that gave no score, by the given judge. */
  record FailureCount(int version, long failures) {}

  @SqlQuery(
      "SELECT version, judge, count(*) AS count, coalesce(sum(score), 0) AS sum,"
          + " coalesce(sum(score * score), 0) AS sum_squares FROM judgements"
          + " WHERE prompt = :prompt AND version IN (:a, :b) AND judged_at >= :since GROUP BY version, judge")
  @RegisterConstructorMapper(JudgeScoreSums.class)
  List<JudgeScoreSums> scoresByJudge(
      @Bind("prompt") String prompt, @Bind("a") int a, @Bind("b") int b, @Bind("since") Instant since);

  /**
   * The judge that tried either version first since {@code since}, scoring or failing: the judge a rollout without
   * one pins (so a judge that never manages a score is still the one held to account).
   */
  @SqlQuery(
      "SELECT judge FROM (SELECT judge, judged_at AS at, request_id FROM judgements"
          + " WHERE prompt = :prompt AND version IN (:a, :b) AND judged_at >= :since"
          + " UNION ALL SELECT judge, failed_at AS at, request_id FROM judge_failures"
          + " WHERE prompt = :prompt AND version IN (:a, :b) AND failed_at >= :since) AS attempts"
          + " ORDER BY at, request_id LIMIT 1")
  Optional<String> firstJudge(
      @Bind("prompt") String prompt, @Bind("a") int a, @Bind("b") int b, @Bind("since") Instant since);

  @SqlQuery(
      "SELECT version, count(*) AS failures FROM judge_failures WHERE prompt = :prompt AND version IN (:a, :b)"
          + " AND judge = :judge AND failed_at >= :since GROUP BY version")
  @RegisterConstructorMapper(FailureCount.class)
  List<FailureCount> judgeFailures(
      @Bind("prompt") String prompt,
      @Bind("a") int a,
      @Bind("b") int b,
      @Bind("judge") String judge,
      @Bind("since") Instant since);

  @SqlQuery(
      "SELECT version, count(*) AS requests, count(*) FILTER (WHERE error) AS errors,"
          + " count(*) FILTER (WHERE safety_flag) AS safety_flags, count(cost) AS cost_count,"
          + " coalesce(sum(cost), 0) AS cost_sum, coalesce(sum(cost * cost), 0) AS cost_sum_squares"
          + " FROM observations WHERE prompt = :prompt AND version IN (:a, :b) AND observed_at >= :since"
          + " GROUP BY version")
  @RegisterConstructorMapper(OutcomeSums.class)
  List<OutcomeSums> outcomes(
      @Bind("prompt") String prompt, @Bind("a") int a, @Bind("b") int b, @Bind("since") Instant since);

  @SqlQuery(
      "SELECT percentile_cont(:quantile) WITHIN GROUP (ORDER BY latency_ms) FROM observations"
          + " WHERE prompt = :prompt AND version = :version AND observed_at >= :since")
  Double latencyQuantile(
      @Bind("prompt") String prompt,
      @Bind("version") int version,
      @Bind("since") Instant since,
      @Bind("quantile") double quantile);

  @SqlQuery(
      "SELECT version, count(*) AS requests, count(*) FILTER (WHERE latency_ms > :cut) AS above"
          + " FROM observations WHERE prompt = :prompt AND version IN (:a, :b) AND observed_at >= :since"
          + " GROUP BY version")
  @RegisterConstructorMapper(LatencyCounts.class)
  List<LatencyCounts> latencyAbove(
      @Bind("prompt") String prompt,
      @Bind("a") int a,
      @Bind("b") int b,
      @Bind("since") Instant since,
      @Bind("cut") double cut);
}
