package dev.promptcanary.activities.store;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.promptcanary.workflows.rollout.Checkpoint;
import dev.promptcanary.workflows.rollout.RolloutRecord;
import dev.promptcanary.workflows.rollout.RolloutSpec;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.json.Json;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * The rollouts read model: what lists and pages show, and the checkpoint a lost rollout resumes
 * from.
 */
public interface RolloutDao {
  String ACTIVE_STATES = "('PENDING_EVAL', 'CANARY', 'PAUSED', 'AWAITING_APPROVAL')";
  String COLUMNS =
      "id, prompt, candidate_version, baseline_version, state, stage, canary_weight_bp, spec,"
          + " checkpoint, workflow_id, run_id, reason, resumed_from_run_id, created_at,"
          + " updated_at, finished_at";

  /**
   * Reserves the prompt for a new rollout. Fails on the unique index when the prompt already has an
   * active rollout, which the API turns into a 409.
   */
  @SqlUpdate(
      "INSERT INTO rollouts (id, prompt, candidate_version, baseline_version, state, spec, workflow_id)"
          + " VALUES (:id, :prompt, :candidate, :baseline, 'PENDING_EVAL', :spec, :id)")
  void insertPending(
      @Bind("id") String id,
      @Bind("prompt") String prompt,
      @Bind("candidate") int candidate,
      @Bind("baseline") int baseline,
      @Bind("spec") @Json RolloutSpec spec);

  @SqlUpdate("DELETE FROM rollouts WHERE id = :id AND run_id IS NULL")
  void deleteNeverStarted(@Bind("id") String id);

  /** Upserts the workflow's view; an older write (a late retry) never overwrites a newer one. */
  @SqlUpdate(
      "INSERT INTO rollouts (id, prompt, candidate_version, baseline_version, state, stage, canary_weight_bp,"
          + " spec, checkpoint, workflow_id, run_id, reason, resumed_from_run_id, recorded_at_millis, finished_at)"
          + " VALUES (:id, :prompt, :candidate, :baseline, :state, :stage, :weight, :spec,"
          + " :checkpoint, :id, :runId, :reason, :resumedFrom, :at,"
          + " CASE WHEN :final THEN now() END)"
          + " ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, stage = EXCLUDED.stage,"
          + " canary_weight_bp = EXCLUDED.canary_weight_bp, checkpoint = EXCLUDED.checkpoint,"
          + " run_id = EXCLUDED.run_id, reason = coalesce(EXCLUDED.reason, rollouts.reason),"
          + " resumed_from_run_id = coalesce(EXCLUDED.resumed_from_run_id, rollouts.resumed_from_run_id),"
          + " recorded_at_millis = EXCLUDED.recorded_at_millis, updated_at = now(),"
          + " finished_at = coalesce(rollouts.finished_at, EXCLUDED.finished_at)"
          + " WHERE rollouts.recorded_at_millis <= EXCLUDED.recorded_at_millis")
  int upsert(
      @Bind("id") String id,
      @Bind("prompt") String prompt,
      @Bind("candidate") int candidate,
      @Bind("baseline") int baseline,
      @Bind("state") String state,
      @Bind("stage") int stage,
      @Bind("weight") int weight,
      @Bind("spec") @Json RolloutSpec spec,
      @Bind("checkpoint") @Json Checkpoint checkpoint,
      @Bind("runId") String runId,
      @Bind("reason") String reason,
      @Bind("resumedFrom") String resumedFromRunId,
      @Bind("at") long recordedAtMillis,
      @Bind("final") boolean isFinal);

  default int upsert(RolloutRecord record, long recordedAtMillis) {
    var spec = record.spec();
    var checkpoint = record.checkpoint();
    return upsert(
        record.rolloutId(),
        spec.prompt(),
        spec.candidateVersion(),
        spec.baselineVersion(),
        checkpoint.state().name(),
        checkpoint.stageIndex() + 1,
        checkpoint.canaryWeightBp(),
        spec,
        checkpoint,
        record.runId(),
        record.reason(),
        record.resumedFromRunId(),
        recordedAtMillis,
        checkpoint.state().isFinal());
  }

  /**
   * A rollout as the read model holds it, spec and checkpoint typed (read from their jsonb
   * columns). The API shows it as it is, less the workflow and run ids (the workflow id is the
   * rollout id; run ids are for recovery).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Row(
      String id,
      String prompt,
      int candidateVersion,
      int baselineVersion,
      String state,
      int stage,
      int canaryWeightBp,
      @Json RolloutSpec spec,
      @Json Checkpoint checkpoint,
      @JsonIgnore String workflowId,
      @JsonIgnore String runId,
      String reason,
      String resumedFromRunId,
      Instant createdAt,
      Instant updatedAt,
      Instant finishedAt) {

    public Row withSpec(RolloutSpec replaced) {
      return new Row(
          id,
          prompt,
          candidateVersion,
          baselineVersion,
          state,
          stage,
          canaryWeightBp,
          replaced,
          checkpoint,
          workflowId,
          runId,
          reason,
          resumedFromRunId,
          createdAt,
          updatedAt,
          finishedAt);
    }
  }

  @SqlQuery("SELECT " + COLUMNS + " FROM rollouts WHERE id = :id")
  @RegisterConstructorMapper(Row.class)
  Optional<Row> find(@Bind("id") String id);

  @SqlQuery(
      "SELECT "
          + COLUMNS
          + " FROM rollouts WHERE (CAST(:prompt AS text) IS NULL OR prompt = :prompt)"
          + " AND (CAST(:state AS text) IS NULL OR state = :state) ORDER BY created_at DESC LIMIT :limit")
  @RegisterConstructorMapper(Row.class)
  List<Row> list(
      @Bind("prompt") String prompt, @Bind("state") String state, @Bind("limit") int limit);

  @SqlQuery(
      "SELECT "
          + COLUMNS
          + " FROM rollouts WHERE state IN "
          + ACTIVE_STATES
          + " ORDER BY created_at")
  @RegisterConstructorMapper(Row.class)
  List<Row> active();

  @SqlQuery("SELECT count(*) FROM rollouts WHERE prompt = :prompt AND candidate_version = :version")
  int countFor(@Bind("prompt") String prompt, @Bind("version") int version);
}
