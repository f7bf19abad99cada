package dev.promptcanary.activities.store;

import dev.promptcanary.activities.routing.FenceOutcome;
import dev.promptcanary.activities.routing.RoutingState;
import dev.promptcanary.activities.routing.RoutingWrite;
import dev.promptcanary.workflows.rollout.Checkpoint;
import dev.promptcanary.workflows.rollout.RolloutState;
import dev.promptcanary.workflows.rollout.TimelineEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.json.Json;
import org.jdbi.v3.sqlobject.CreateSqlObject;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jdbi.v3.sqlobject.transaction.Transaction;

/**
 * The end of a rollout as the store sees it, completed whoever notices it first: the workflow's own
 * final record, or the recovery that finds a workflow closed without one (terminated in Temporal,
 * or its final record kept failing). Both parts are idempotent: a row already final is left as it
 * is, and routing is only handed back while this rollout still owns it. An ended rollout never owns
 * routing: its last routing write may have failed, so the end resets it.
 */
public interface RolloutEndDao {
  @CreateSqlObject
  RolloutDao rollouts();

  @CreateSqlObject
  RoutingDao routing();

  @CreateSqlObject
  AuditDao audit();

  @SqlQuery("SELECT state FROM rollouts WHERE id = :id FOR UPDATE")
  Optional<String> lockState(@Bind("id") String id);

  @SqlUpdate(
      "UPDATE rollouts SET state = :state, checkpoint = :checkpoint, reason = :reason,"
          + " finished_at = coalesce(finished_at, now()), updated_at = now()"
          + " WHERE id = :id AND state IN "
          + RolloutDao.ACTIVE_STATES)
  int markEnded(
      @Bind("id") String id,
      @Bind("state") String state,
      @Bind("checkpoint") @Json Checkpoint checkpoint,
      @Bind("reason") String reason);

  /** What {@link #endUnrecorded} did. */
  record Ended(boolean rowEnded, Optional<RoutingWrite> routingReset) {}

  /**
   * Ends the read model of a rollout whose workflow closed without recording its end, and hands its
   * routing back. Nothing happens to a row that is already final (another worker, or the workflow,
   * got there first).
   */
  @Transaction
  default Ended endUnrecorded(String rolloutId, RolloutState state, String reason, long atMillis) {
    if (!state.isFinal()) {
      throw new IllegalArgumentException("not a final state: " + state);
    }
    Optional<String> current = lockState(rolloutId);
    if (current.isEmpty() || RolloutState.valueOf(current.get()).isFinal()) {
      return new Ended(false, Optional.empty());
    }
    RolloutDao.Row row = rollouts().find(rolloutId).orElseThrow();
    Checkpoint before = row.checkpoint() == null ? Checkpoint.initial() : row.checkpoint();
    List<TimelineEntry> timeline = new ArrayList<>(before.timeline());
    timeline.add(new TimelineEntry(atMillis, "end recorded", reason));
    Checkpoint ended =
        new Checkpoint(
            state,
            before.stageIndex(),
            before.stageEntered(),
            before.stageStartedAtMillis(),
            before.pausedMillis(),
            before.stageBudgetMillis(),
            before.canaryStartedAtMillis(),
            before.extensionsUsed(),
            before.routingSequence(),
            before.lastVerdicts(),
            timeline,
            0,
            null,
            before.stageRestarts());
    markEnded(rolloutId, state.name(), ended, reason);
    Optional<RoutingWrite> reset = releaseRouting(rolloutId, row.prompt(), state, reason);
    audit()
        .append(
            Actor.SYSTEM.name(),
            Actor.SYSTEM.role(),
            "rollout.end_recorded",
            row.prompt(),
            rolloutId,
            reason,
            Map.of("state", current.get()),
            Map.of("state", state.name()),
            Map.of("reason", reason),
            "end-recorded/" + rolloutId,
            null);
    return new Ended(true, reset);
  }

  /**
   * Hands the prompt's routing back if the ended rollout {@code rolloutId} still owns it: to the
   * candidate for a promotion or bypass, to the baseline for every other end. A rollout that does
   * not own the row (it never claimed it, it released it, or someone else holds it) changes
   * nothing.
   */
  @Transaction
  default Optional<RoutingWrite> releaseRouting(
      String rolloutId, String prompt, RolloutState state, String why) {
    RoutingState current = routing().findForUpdate(prompt).orElse(null);
    if (current == null || !rolloutId.equals(current.rolloutId())) {
      return Optional.empty();
    }
    RolloutDao.Row row = rollouts().find(rolloutId).orElseThrow();
    boolean promoted = state == RolloutState.PROMOTED || state == RolloutState.BYPASSED;
    int stable = promoted ? row.candidateVersion() : row.baselineVersion();
    RoutingWrite write =
        new RoutingWrite(prompt, rolloutId, null, current.fenceSeq() + 1, stable, null, 0);
    if (routing().apply(write) != FenceOutcome.APPLIED) {
      return Optional.empty();
    }
    if (current.stableVersion() != stable) {
      routing().setLastKnownGood(prompt, current.stableVersion());
    }
    audit()
        .record(
            Actor.SYSTEM,
            "routing.rollout",
            prompt,
            rolloutId,
            "released at the end of the rollout (" + state + "): " + why,
            current,
            write);
    return Optional.of(write);
  }
}
