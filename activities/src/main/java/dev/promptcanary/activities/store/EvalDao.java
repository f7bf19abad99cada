package dev.promptcanary.activities.store;

import dev.promptcanary.activities.eval.AssertionResult;
import dev.promptcanary.activities.eval.CaseResult;
import dev.promptcanary.activities.eval.CreatedSuite;
import dev.promptcanary.activities.eval.EvalRun;
import dev.promptcanary.activities.eval.EvalSuite;
import dev.promptcanary.activities.eval.StoredEvalSuite;
import dev.promptcanary.activities.eval.SuiteHasher;
import dev.promptcanary.activities.eval.SuiteSummary;
import dev.promptcanary.workflows.rollout.EvalSummary;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.json.Json;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jdbi.v3.sqlobject.transaction.Transaction;

/** Eval suites (immutable versions), their runs and the per-case results a run resumes from. */
@RegisterConstructorMapper(StoredEvalSuite.class)
@RegisterConstructorMapper(CaseResult.class)
@RegisterConstructorMapper(EvalRun.class)
public interface EvalDao {
  String SUITE_COLUMNS = "name, version, content_hash, definition, author, created_at";
  String RUN_COLUMNS =
      "id, run_key, rollout_id, suite, suite_version, prompt, candidate_version, baseline_version, state, reason,"
          + " started_at, finished_at";

  /**
   * Stores a suite as its next version, or returns the version that already holds the same content.
   */
  @Transaction
  default CreatedSuite createSuite(EvalSuite suite, String author) {
    String name = suite.name();
    lockName("eval_suite:" + name);
    String hash = SuiteHasher.hash(suite);
    Optional<StoredEvalSuite> existing = findByHash(name, hash);
    if (existing.isPresent()) {
      return new CreatedSuite(existing.get(), false);
    }
    int version = nextVersion(name);
    insertSuite(name, version, hash, suite, author);
    return new CreatedSuite(findSuite(name, version).orElseThrow(), true);
  }

  @org.jdbi.v3.sqlobject.CreateSqlObject
  AuditDao audit();

  /** As {@link #createSuite(EvalSuite, String)}, audited in the same transaction. */
  @Transaction
  default CreatedSuite createSuite(EvalSuite suite, String author, Actor actor) {
    CreatedSuite result = createSuite(suite, author);
    if (result.created()) {
      StoredEvalSuite stored = result.suite();
      audit()
          .record(
              actor,
              "suite.create",
              null,
              null,
              null,
              null,
              java.util.Map.of("suite", stored.name(), "version", stored.version()));
    }
    return result;
  }

  /** Serialises version creation per suite name (there is no parent row to lock). */
  @SqlQuery("SELECT pg_advisory_xact_lock(hashtext(:key))::text")
  String lockName(@Bind("key") String key);

  @SqlQuery("SELECT coalesce(max(version), 0) + 1 FROM eval_suites WHERE name = :name")
  int nextVersion(@Bind("name") String name);

  @SqlUpdate(
      "INSERT INTO eval_suites (name, version, content_hash, definition, author)"
          + " VALUES (:name, :version, :hash, :definition, :author)")
  void insertSuite(
      @Bind("name") String name,
      @Bind("version") int version,
      @Bind("hash") String hash,
      @Bind("definition") @Json EvalSuite definition,
      @Bind("author") String author);

  @SqlQuery(
      "SELECT " + SUITE_COLUMNS + " FROM eval_suites WHERE name = :name AND content_hash = :hash")
  Optional<StoredEvalSuite> findByHash(@Bind("name") String name, @Bind("hash") String hash);

  @SqlQuery(
      "SELECT " + SUITE_COLUMNS + " FROM eval_suites WHERE name = :name AND version = :version")
  Optional<StoredEvalSuite> findSuite(@Bind("name") String name, @Bind("version") int version);

  @SqlQuery(
      "SELECT "
          + SUITE_COLUMNS
          + " FROM eval_suites WHERE name = :name ORDER BY version DESC LIMIT 1")
  Optional<StoredEvalSuite> findLatestSuite(@Bind("name") String name);

  @SqlQuery(
      "SELECT "
          + SUITE_COLUMNS
          + " FROM eval_suites WHERE name = :name ORDER BY version DESC"
          + " LIMIT :limit OFFSET :offset")
  List<StoredEvalSuite> listVersions(
      @Bind("name") String name, @Bind("limit") int limit, @Bind("offset") int offset);

  @SqlQuery(
      "SELECT DISTINCT ON (name) name, version AS latest_version,"
          + " jsonb_array_length(definition -> 'cases') AS cases, created_at AS updated_at"
          + " FROM eval_suites ORDER BY name, version DESC LIMIT :limit OFFSET :offset")
  @RegisterConstructorMapper(SuiteSummary.class)
  List<SuiteSummary> listSuites(@Bind("limit") int limit, @Bind("offset") int offset);

  // ---- runs
  // ---------------------------------------------------------------------------------------------

  /**
   * The run with this key: created here, or the one a previous attempt started (which is then
   * resumed).
   */
  @Transaction
  default EvalRun startRun(
      String runKey,
      String rolloutId,
      StoredEvalSuite suite,
      String prompt,
      int candidateVersion,
      Integer baselineVersion) {
    insertRunIfAbsent(
        runKey,
        rolloutId,
        suite.name(),
        suite.version(),
        prompt,
        candidateVersion,
        baselineVersion);
    return findRun(runKey).orElseThrow();
  }

  @SqlUpdate(
      "INSERT INTO eval_runs (run_key, rollout_id, suite, suite_version, prompt, candidate_version,"
          + " baseline_version, state) VALUES (:runKey, :rolloutId, :suite, :suiteVersion, :prompt, :candidate,"
          + " :baseline, 'RUNNING') ON CONFLICT (run_key) DO NOTHING")
  void insertRunIfAbsent(
      @Bind("runKey") String runKey,
      @Bind("rolloutId") String rolloutId,
      @Bind("suite") String suite,
      @Bind("suiteVersion") int suiteVersion,
      @Bind("prompt") String prompt,
      @Bind("candidate") int candidateVersion,
      @Bind("baseline") Integer baselineVersion);

  @SqlQuery("SELECT " + RUN_COLUMNS + " FROM eval_runs WHERE run_key = :runKey")
  Optional<EvalRun> findRun(@Bind("runKey") String runKey);

  @SqlQuery(
      "SELECT "
          + RUN_COLUMNS
          + " FROM eval_runs WHERE rollout_id = :rolloutId ORDER BY id DESC LIMIT 1")
  Optional<EvalRun> latestRun(@Bind("rolloutId") String rolloutId);

  /**
   * The summary of a run that reached a verdict (jsonb); empty while it runs or when it could not
   * finish.
   */
  @SqlQuery("SELECT summary FROM eval_runs WHERE id = :id AND summary IS NOT NULL")
  @Json
  Optional<EvalSummary> storedSummary(@Bind("id") long id);

  /** Ends a run; {@code summary} is null for a run that could not finish. */
  @SqlUpdate(
      "UPDATE eval_runs SET state = :state, reason = :reason, summary = :summary,"
          + " finished_at = now() WHERE id = :id")
  void finishRun(
      @Bind("id") long id,
      @Bind("state") String state,
      @Bind("reason") String reason,
      @Bind("summary") @Json EvalSummary summary);

  /** Writes a finished case; a second write of the same (run, case, arm) changes nothing. */
  default void saveResult(long runId, CaseResult r) {
    insertResult(
        runId,
        r.caseId(),
        r.arm(),
        r.version(),
        r.output(),
        r.assertions(),
        r.judgeScore(),
        r.passed(),
        r.inputTokens(),
        r.outputTokens(),
        r.cost(),
        r.latencyMs(),
        r.model());
  }

  @SqlUpdate(
      "INSERT INTO eval_case_results (run_id, case_id, arm, version, output, assertions, judge_score, passed,"
          + " input_tokens, output_tokens, cost, latency_ms, model) VALUES (:runId, :caseId, :arm, :version,"
          + " :output, :assertions, :judgeScore, :passed, :inputTokens, :outputTokens, :cost,"
          + " :latencyMs, :model) ON CONFLICT (run_id, case_id, arm) DO NOTHING")
  void insertResult(
      @Bind("runId") long runId,
      @Bind("caseId") String caseId,
      @Bind("arm") String arm,
      @Bind("version") int version,
      @Bind("output") String output,
      @Bind("assertions") @Json List<AssertionResult> assertions,
      @Bind("judgeScore") Double judgeScore,
      @Bind("passed") boolean passed,
      @Bind("inputTokens") int inputTokens,
      @Bind("outputTokens") int outputTokens,
      @Bind("cost") double cost,
      @Bind("latencyMs") long latencyMs,
      @Bind("model") String model);

  @SqlQuery(
      "SELECT case_id, arm, version, output, assertions, judge_score, passed, input_tokens, output_tokens, cost,"
          + " latency_ms, model FROM eval_case_results WHERE run_id = :runId ORDER BY finished_at, case_id, arm")
  List<CaseResult> results(@Bind("runId") long runId);
}
