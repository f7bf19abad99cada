package dev.promptcanary.activities.store;

import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Who changed what, and why: appended to, never rewritten. */
public interface AuditDao {
  @SqlUpdate(
      "INSERT INTO audit_log (actor, action, prompt, rollout_id, details)"
          + " VALUES (:actor, :action, :prompt, :rolloutId, CAST(:details AS jsonb))")
  void record(
      @Bind("actor") String actor,
      @Bind("action") String action,
      @Bind("prompt") String prompt,
      @Bind("rolloutId") String rolloutId,
      @Bind("details") String detailsJson);
}
