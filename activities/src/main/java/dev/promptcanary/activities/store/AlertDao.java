package dev.promptcanary.activities.store;

import dev.promptcanary.workflows.domain.Verdict;
import java.time.Instant;
import org.jdbi.v3.json.Json;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Every alert a rollout raised, stored before it is delivered and marked once its webhook took it.
 */
public interface AlertDao {
  /** Stores an alert; a retried activity (same dedupe key) stores nothing new. */
  @SqlUpdate(
      "INSERT INTO alerts (dedupe_key, rollout_id, prompt, event, state, reason, verdict, webhook, at)"
          + " VALUES (:dedupeKey, :rolloutId, :prompt, :event, :state, :reason, :verdict, :webhook, :at)"
          + " ON CONFLICT (dedupe_key) DO NOTHING")
  void insert(
      @Bind("dedupeKey") String dedupeKey,
      @Bind("rolloutId") String rolloutId,
      @Bind("prompt") String prompt,
      @Bind("event") String event,
      @Bind("state") String state,
      @Bind("reason") String reason,
      @Bind("verdict") @Json Verdict verdict,
      @Bind("webhook") String webhook,
      @Bind("at") Instant at);

  @SqlUpdate(
      "UPDATE alerts SET delivered_at = now() WHERE dedupe_key = :dedupeKey AND delivered_at IS NULL")
  void markDelivered(@Bind("dedupeKey") String dedupeKey);
}
