package dev.promptcanary.activities.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.json.Json;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Who changed what, in which role, why, and the state before and after: appended to, never
 * rewritten (the database refuses updates and deletes). Writes from activities carry a dedupe key
 * (the same for every attempt of one activity), so a retried write is stored once; a control's
 * entry also carries the control's request id, stored once per rollout and id. People's writes
 * through the API are made in the transaction of the change and carry neither.
 */
@RegisterConstructorMapper(AuditDao.Entry.class)
public interface AuditDao {
  /** One entry as the API shows it. */
  record Entry(
      long id,
      Instant at,
      String actor,
      String role,
      String action,
      String prompt,
      String rolloutId,
      String reason,
      @Json JsonNode before,
      @Json JsonNode after,
      String requestId) {}

  /** What to read: every filter may be null. */
  record Query(
      String prompt, String rolloutId, String actor, Instant since, long afterId, int limit) {}

  @SqlUpdate(
      "INSERT INTO audit_log (actor, role, action, prompt, rollout_id, reason, before, after, details,"
          + " dedupe_key, request_id)"
          + " VALUES (:actor, :role, :action, :prompt, :rolloutId, :reason, :before, :after, :details,"
          + " :dedupeKey, :requestId)"
          + " ON CONFLICT DO NOTHING")
  void append(
      @Bind("actor") String actor,
      @Bind("role") String role,
      @Bind("action") String action,
      @Bind("prompt") String prompt,
      @Bind("rolloutId") String rolloutId,
      @Bind("reason") String reason,
      @Bind("before") @Json Object before,
      @Bind("after") @Json Object after,
      @Bind("details") @Json Map<String, ?> details,
      @Bind("dedupeKey") String dedupeKey,
      @Bind("requestId") String requestId);

  /** What the entry of a control request says was done, and by whom. */
  record AuditedControl(String action, String actor) {}

  /**
   * The entry of the control {@code requestId} on rollout {@code rolloutId}, if it exists: then the
   * workflow acted on that control (it writes the entry before its run can close).
   */
  @SqlQuery(
      "SELECT action, actor FROM audit_log WHERE rollout_id = :rolloutId AND request_id = :requestId")
  @RegisterConstructorMapper(AuditedControl.class)
  Optional<AuditedControl> control(
      @Bind("rolloutId") String rolloutId, @Bind("requestId") String requestId);

  /** The form written before entries had their own role, reason and before/after columns. */
  default void insert(
      String actor,
      String action,
      String prompt,
      String rolloutId,
      Map<String, ?> details,
      String dedupeKey) {
    Object reason = details.get("reason");
    append(
        actor,
        null,
        action,
        prompt,
        rolloutId,
        reason == null ? null : reason.toString(),
        details.get("before"),
        details.get("after"),
        details,
        dedupeKey,
        null);
  }

  /** A person's change, written once by the request that made it. */
  default void record(
      Actor actor,
      String action,
      String prompt,
      String rolloutId,
      String reason,
      Object before,
      Object after) {
    append(
        actor.name(),
        actor.role(),
        action,
        prompt,
        rolloutId,
        reason,
        before,
        after,
        Map.of(),
        null,
        null);
  }

  /** Entries oldest first, after the entry {@code afterId} (0: from the start). */
  @SqlQuery(
      "SELECT id, at, actor, role, action, prompt, rollout_id, reason, before, after, request_id"
          + " FROM audit_log"
          + " WHERE id > :q.afterId"
          + " AND (CAST(:q.prompt AS text) IS NULL OR prompt = :q.prompt)"
          + " AND (CAST(:q.rolloutId AS text) IS NULL OR rollout_id = :q.rolloutId)"
          + " AND (CAST(:q.actor AS text) IS NULL OR actor = :q.actor)"
          + " AND (CAST(:q.since AS timestamptz) IS NULL OR at >= :q.since)"
          + " ORDER BY id LIMIT :q.limit")
  List<Entry> find(@org.jdbi.v3.sqlobject.customizer.BindMethods("q") Query query);
}
