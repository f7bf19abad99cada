package dev.promptcanary.activities.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.mapper.Nested;
import org.jdbi.v3.sqlobject.CreateSqlObject;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jdbi.v3.sqlobject.transaction.Transaction;

/**
 * API keys: only the hash of a secret is stored. Creating, revoking and rotating a key are audited
 * in the same transaction.
 */
@RegisterConstructorMapper(ApiKeyDao.ApiKey.class)
@RegisterConstructorMapper(ApiKeyDao.StoredKey.class)
public interface ApiKeyDao {
  /** Everything but the hash: only {@link #live()}, for the key cache, reads that. */
  String COLUMNS =
      "id, name, role, prefix, created_at, created_by, revoked_at, revoked_by, replaced_by";

  /** A key as the API lists it and the audit log records it: everything but the hash. */
  record ApiKey(
      long id,
      String name,
      String role,
      String prefix,
      Instant createdAt,
      String createdBy,
      Instant revokedAt,
      String revokedBy,
      Long replacedBy) {
    public boolean live() {
      return revokedAt == null;
    }

    /** What the audit log and the list show: everything but the hash. */
    public Map<String, Object> described() {
      return Map.of("id", id, "name", name, "role", role, "prefix", prefix);
    }
  }

  /** A key with its secret's hash, which never leaves the server. */
  record StoredKey(@Nested ApiKey key, String secretHash) {}

  @CreateSqlObject
  AuditDao audit();

  @SqlUpdate(
      "INSERT INTO api_keys (name, role, secret_hash, prefix, created_by)"
          + " VALUES (:name, :role, :hash, :prefix, :createdBy)")
  @GetGeneratedKeys("id")
  long insert(
      @Bind("name") String name,
      @Bind("role") String role,
      @Bind("hash") String secretHash,
      @Bind("prefix") String prefix,
      @Bind("createdBy") String createdBy);

  @SqlQuery("SELECT " + COLUMNS + " FROM api_keys WHERE id = :id")
  Optional<ApiKey> find(@Bind("id") long id);

  @SqlQuery("SELECT " + COLUMNS + " FROM api_keys WHERE id = :id FOR UPDATE")
  Optional<ApiKey> findForUpdate(@Bind("id") long id);

  @SqlQuery(
      "SELECT " + COLUMNS + ", secret_hash FROM api_keys WHERE revoked_at IS NULL ORDER BY id")
  List<StoredKey> live();

  @SqlQuery(
      "SELECT "
          + COLUMNS
          + " FROM api_keys WHERE (:revoked OR revoked_at IS NULL) ORDER BY id LIMIT :limit OFFSET"
          + " :offset")
  List<ApiKey> list(
      @Bind("revoked") boolean includeRevoked,
      @Bind("limit") int limit,
      @Bind("offset") int offset);

  @SqlQuery("SELECT count(*) FROM api_keys WHERE revoked_at IS NULL AND role = 'admin'")
  int liveAdmins();

  @SqlQuery("SELECT EXISTS (SELECT 1 FROM api_keys WHERE revoked_at IS NULL AND name = :name)")
  boolean nameTaken(@Bind("name") String name);

  @SqlUpdate(
      "UPDATE api_keys SET revoked_at = now(), revoked_by = :by, replaced_by = :replacedBy"
          + " WHERE id = :id AND revoked_at IS NULL")
  int markRevoked(@Bind("id") long id, @Bind("by") String by, @Bind("replacedBy") Long replacedBy);

  /** Stores a new key; empty when a live key already has that name. */
  @Transaction
  default Optional<ApiKey> create(
      String name, String role, String secretHash, String prefix, Actor by) {
    if (nameTaken(name)) {
      return Optional.empty();
    }
    ApiKey key = find(insert(name, role, secretHash, prefix, by.name())).orElseThrow();
    audit().record(by, "key.create", null, null, null, null, key.described());
    return Optional.of(key);
  }

  /**
   * Stores the first admin key from the environment, only while the database has no live admin key
   * (several nodes starting at once store it once: the hash is unique).
   */
  @Transaction
  default boolean bootstrapAdmin(String name, String secretHash, String prefix) {
    lockKeys();
    // A revoked bootstrap secret left in the environment must not come back to life.
    if (liveAdmins() > 0 || nameTaken(name) || hashKnown(secretHash)) {
      return false;
    }
    ApiKey key = find(insert(name, "admin", secretHash, prefix, "bootstrap")).orElseThrow();
    audit()
        .record(
            new Actor("bootstrap", "system"),
            "key.create",
            null,
            null,
            "bootstrap admin key from the environment",
            null,
            key.described());
    return true;
  }

  @SqlQuery("SELECT EXISTS (SELECT 1 FROM api_keys WHERE secret_hash = :hash)")
  boolean hashKnown(@Bind("hash") String secretHash);

  @SqlQuery("SELECT pg_advisory_xact_lock(hashtext('api_keys'))::text")
  String lockKeys();

  /**
   * Revokes a key. Revoking one already revoked changes nothing and answers it as it is (a retry is
   * harmless).
   */
  @Transaction
  default Optional<ApiKey> revoke(long id, Actor by, String reason) {
    Optional<ApiKey> before = findForUpdate(id);
    if (before.isEmpty() || !before.get().live()) {
      return before;
    }
    markRevoked(id, by.name(), null);
    ApiKey after = find(id).orElseThrow();
    audit().record(by, "key.revoke", null, null, reason, before.get().described(), null);
    return Optional.of(after);
  }

  /**
   * Replaces a live key by a new secret with the same name and role; the old one stops working at
   * once. Empty when the key does not exist or is revoked.
   */
  @Transaction
  default Optional<ApiKey> rotate(
      long id, String secretHash, String prefix, Actor by, String reason) {
    Optional<ApiKey> old = findForUpdate(id);
    if (old.isEmpty() || !old.get().live()) {
      return Optional.empty();
    }
    markRevoked(id, by.name(), null);
    long replacement = insert(old.get().name(), old.get().role(), secretHash, prefix, by.name());
    setReplacedBy(id, replacement);
    ApiKey created = find(replacement).orElseThrow();
    audit()
        .record(by, "key.rotate", null, null, reason, old.get().described(), created.described());
    return Optional.of(created);
  }

  @SqlUpdate("UPDATE api_keys SET replaced_by = :replacement WHERE id = :id")
  void setReplacedBy(@Bind("id") long id, @Bind("replacement") long replacement);
}
