package dev.promptcanary.activities.store;

import java.util.Map;
import org.jdbi.v3.json.Json;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Who changed what, and why: appended to, never rewritten. Writes from activities carry a dedupe
 * key (the same for every attempt of one activity), so a retried write is stored once; people's
 * writes through the API carry none.
 */
public interface AuditDao {
  @SqlUpdate(
      "INSERT INTO audit_log (actor, action, prompt, rollout_id, details, dedupe_key)"
          + " VALUES (:actor, :action, :prompt, :rolloutId, :details, :dedupeKey)"
          + " ON CONFLICT (dedupe_key) DO NOTHING")
  void insert(
      @Bind("actor") String actor,
      @Bind("action") String action,
      @Bind("prompt") String prompt,
      @Bind("rolloutId") String rolloutId,
      @Bind("details") @Json Map<String, ?> details,
      @Bind("dedupeKey") String dedupeKey);

  /** A person's change, written once by the request that made it. */
  default void record(
      String actor, String action, String prompt, String rolloutId, Map<String, ?> details) {
    insert(actor, action, prompt, rolloutId, details, null);
  }
}
