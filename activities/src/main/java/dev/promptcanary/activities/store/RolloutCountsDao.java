package dev.promptcanary.activities.store;

import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/** How many rollouts are in each state, for the {@code promptcanary_rollouts} gauge. */
public interface RolloutCountsDao {
  record StateCount(String state, long rollouts) {}

  @SqlQuery("SELECT state, count(*) AS rollouts FROM rollouts GROUP BY state")
  @RegisterConstructorMapper(StateCount.class)
  List<StateCount> byState();
}
