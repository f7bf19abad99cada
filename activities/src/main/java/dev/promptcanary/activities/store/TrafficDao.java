package dev.promptcanary.activities.store;

import java.time.Instant;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/** How much traffic a prompt gets and how noisy its judge scores are: what the sample planner needs to know. */
public interface TrafficDao {
  @SqlQuery("SELECT count(*) FROM observations WHERE prompt = :prompt AND observed_at >= :since")
  long requestsSince(@Bind("prompt") String prompt, @Bind("since") Instant since);

  @SqlQuery(
      "SELECT stddev_samp(score) FROM judgements WHERE prompt = :prompt AND version = :version"
          + " AND judged_at >= :since")
  Double scoreStandardDeviation(
      @Bind("prompt") String prompt, @Bind("version") int version, @Bind("since") Instant since);
}
