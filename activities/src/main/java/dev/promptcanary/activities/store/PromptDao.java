package dev.promptcanary.activities.store;

import dev.promptcanary.activities.registry.ContentHasher;
import dev.promptcanary.activities.registry.CreatedVersion;
import dev.promptcanary.activities.registry.PromptSummary;
import dev.promptcanary.serving.PromptContent;
import dev.promptcanary.serving.PromptVersion;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.CreateSqlObject;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jdbi.v3.sqlobject.transaction.Transaction;

/** The prompt registry: prompts and their immutable versions. */
public interface PromptDao {
  String VERSION_COLUMNS =
      "prompt, version, content_hash, system_prompt, few_shot, template, variables, model, parameters,"
          + " author, created_at";

  @CreateSqlObject
  RoutingDao routing();

  /**
   * Stores content as a new version, or returns the version that already holds the same content.
   * The first version of a prompt becomes its stable version, so resolve has something to serve.
   */
  @Transaction
  default CreatedVersion createVersion(String prompt, PromptContent content, String author) {
    insertPromptIfAbsent(prompt);
    lockPrompt(prompt);
    String hash = ContentHasher.hash(content);
    Optional<PromptVersion> existing = findByHash(prompt, hash);
    if (existing.isPresent()) {
      return new CreatedVersion(existing.get(), false);
    }
    int version = nextVersionNumber(prompt);
    insertVersion(
        prompt,
        version,
        hash,
        content.systemPrompt(),
        Json.write(content.fewShot()),
        content.template(),
        Json.write(content.variables()),
        content.model(),
        Json.write(content.parameters()),
        author);
    routing().insertInitial(prompt, version);
    return new CreatedVersion(findVersion(prompt, version).orElseThrow(), true);
  }

  @CreateSqlObject
  AuditDao audit();

  /** As {@link #createVersion(String, PromptContent, String)}, audited in the same transaction. */
  @Transaction
  default CreatedVersion createVersion(
      String prompt, PromptContent content, String author, Actor actor) {
    CreatedVersion result = createVersion(prompt, content, author);
    if (result.created()) {
      PromptVersion version = result.version();
      audit()
          .record(
              actor,
              "version.create",
              prompt,
              null,
              null,
              null,
              java.util.Map.of("version", version.version(), "contentHash", version.contentHash()));
    }
    return result;
  }

  @SqlUpdate("INSERT INTO prompts (name) VALUES (:name) ON CONFLICT DO NOTHING")
  void insertPromptIfAbsent(@Bind("name") String name);

  /**
   * Serialises version creation per prompt, so numbers are gap-free and equal content is stored
   * once.
   */
  @SqlQuery("SELECT name FROM prompts WHERE name = :name FOR UPDATE")
  String lockPrompt(@Bind("name") String name);

  @SqlQuery("SELECT coalesce(max(version), 0) + 1 FROM prompt_versions WHERE prompt = :prompt")
  int nextVersionNumber(@Bind("prompt") String prompt);

  @SqlUpdate(
      "INSERT INTO prompt_versions (prompt, version, content_hash, system_prompt, few_shot, template,"
          + " variables, model, parameters, author) VALUES (:prompt, :version, :hash, :systemPrompt,"
          + " CAST(:fewShot AS jsonb), :template, CAST(:variables AS jsonb), :model,"
          + " CAST(:parameters AS jsonb), :author)")
  void insertVersion(
      @Bind("prompt") String prompt,
      @Bind("version") int version,
      @Bind("hash") String hash,
      @Bind("systemPrompt") String systemPrompt,
      @Bind("fewShot") String fewShotJson,
      @Bind("template") String template,
      @Bind("variables") String variablesJson,
      @Bind("model") String model,
      @Bind("parameters") String parametersJson,
      @Bind("author") String author);

  @SqlQuery(
      "SELECT "
          + VERSION_COLUMNS
          + " FROM prompt_versions WHERE prompt = :prompt AND content_hash = :hash")
  Optional<PromptVersion> findByHash(@Bind("prompt") String prompt, @Bind("hash") String hash);

  @SqlQuery(
      "SELECT "
          + VERSION_COLUMNS
          + " FROM prompt_versions WHERE prompt = :prompt AND version = :version")
  Optional<PromptVersion> findVersion(@Bind("prompt") String prompt, @Bind("version") int version);

  @SqlQuery(
      "SELECT "
          + VERSION_COLUMNS
          + " FROM prompt_versions WHERE prompt = :prompt"
          + " ORDER BY version DESC LIMIT :limit OFFSET :offset")
  List<PromptVersion> listVersions(
      @Bind("prompt") String prompt, @Bind("limit") int limit, @Bind("offset") int offset);

  @SqlQuery("SELECT EXISTS (SELECT 1 FROM prompts WHERE name = :name)")
  boolean promptExists(@Bind("name") String name);

  @SqlQuery(
      "SELECT EXISTS (SELECT 1 FROM prompt_versions WHERE prompt = :prompt AND version = :version)")
  boolean versionExists(@Bind("prompt") String prompt, @Bind("version") int version);

  @SqlQuery(
      "SELECT p.name, p.created_at, (SELECT max(version) FROM prompt_versions v WHERE v.prompt = p.name)"
          + " AS latest_version, r.stable_version, r.canary_version, r.canary_weight_bp, r.rollout_id"
          + " FROM prompts p JOIN routing r ON r.prompt = p.name ORDER BY p.name LIMIT :limit OFFSET :offset")
  @RegisterConstructorMapper(PromptSummary.class)
  List<PromptSummary> listPrompts(@Bind("limit") int limit, @Bind("offset") int offset);
}
