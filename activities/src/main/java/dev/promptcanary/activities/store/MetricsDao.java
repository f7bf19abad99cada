package dev.promptcanary.activities.store;

import dev.promptcanary.activities.ingest.VersionMetrics;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/** Per-version aggregates, computed where the rows are. */
public interface MetricsDao {

  @SqlQuery(
      "WITH o AS ("
          + "  SELECT version, count(*) AS observations,"
          + "   avg(error::int) AS error_rate, avg(safety_flag::int) AS safety_flag_rate,"
          + "   percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS latency_p50_ms,"
          + "   percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS latency_p95_ms,"
          + "   percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms) AS latency_p99_ms,"
          + "   avg(input_tokens) AS mean_input_tokens, avg(output_tokens) AS mean_output_tokens,"
          + "   avg(cost) AS mean_cost, count(feedback) AS feedback_count, avg(feedback) AS mean_feedback"
          + "  FROM observations WHERE prompt = :prompt AND observed_at >= :since GROUP BY version),"
          + " j AS ("
          + "  SELECT version, count(*) AS judgements, avg(score) AS mean_score,"
          + "   var_samp(score) AS score_variance, sum(score) AS score_sum, sum(score * score) AS score_sum_squares"
          + "  FROM judgements WHERE prompt = :prompt AND judged_at >= :since GROUP BY version)"
          + " SELECT coalesce(o.version, j.version) AS version, coalesce(o.observations, 0) AS observations,"
          + "  coalesce(o.error_rate, 0) AS error_rate, coalesce(o.safety_flag_rate, 0) AS safety_flag_rate,"
          + "  o.latency_p50_ms, o.latency_p95_ms, o.latency_p99_ms, o.mean_input_tokens,"
          + "  o.mean_output_tokens, o.mean_cost, coalesce(o.feedback_count, 0) AS feedback_count,"
          + "  o.mean_feedback, coalesce(j.judgements, 0) AS judgements, j.mean_score, j.score_variance,"
          + "  coalesce(j.score_sum, 0) AS score_sum, coalesce(j.score_sum_squares, 0) AS score_sum_squares"
          + " FROM o FULL OUTER JOIN j ON o.version = j.version ORDER BY 1")
  @RegisterConstructorMapper(VersionMetrics.class)
  List<VersionMetrics> byVersion(@Bind("prompt") String prompt, @Bind("since") Instant since);
}
