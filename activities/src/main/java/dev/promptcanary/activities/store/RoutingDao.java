package dev.promptcanary.activities.store;

import dev.promptcanary.activities.routing.FenceOutcome;
import dev.promptcanary.activities.routing.RoutingState;
import dev.promptcanary.activities.routing.RoutingWrite;
import java.util.List;
import java.util.Optional;
import dev.promptcanary.activities.routing.ManualRouting;
import org.jdbi.v3.sqlobject.CreateSqlObject;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jdbi.v3.sqlobject.transaction.Transaction;

/** Routing rows. Every change goes through {@link #apply}, which is fenced and idempotent. */
@RegisterConstructorMapper(RoutingState.class)
public interface RoutingDao {
  String COLUMNS =
      "prompt, stable_version, canary_version, canary_weight_bp, rollout_id, fence_seq, updated_at";

  @SqlUpdate(
      "INSERT INTO routing (prompt, stable_version) VALUES (:prompt, :version) ON CONFLICT DO NOTHING")
  void insertInitial(@Bind("prompt") String prompt, @Bind("version") int version);

  @SqlQuery("SELECT " + COLUMNS + " FROM routing WHERE prompt = :prompt")
  Optional<RoutingState> find(@Bind("prompt") String prompt);

  @SqlQuery("SELECT " + COLUMNS + " FROM routing WHERE prompt = :prompt FOR UPDATE")
  Optional<RoutingState> findForUpdate(@Bind("prompt") String prompt);

  @SqlQuery("SELECT " + COLUMNS + " FROM routing")
  List<RoutingState> findAll();

  @SqlUpdate(
      "UPDATE routing SET stable_version = :stableVersion, canary_version = :canaryVersion,"
          + " canary_weight_bp = :canaryWeightBp, rollout_id = :newOwner, fence_seq = :sequence,"
          + " updated_at = now()"
          + " WHERE prompt = :prompt AND fence_seq < :sequence"
          + " AND rollout_id IS NOT DISTINCT FROM :expectedOwner")
  int updateIfFenceAllows(@BindMethods RoutingWrite write);

  @CreateSqlObject
  AuditDao audit();

  /**
   * Sets routing by hand. Refused (STALE) while a rollout owns the prompt: the rollout's next write would
   * silently undo it. The sequence is taken under the row lock, so concurrent manual writes serialise.
   */
  @Transaction
  default FenceOutcome applyManual(ManualRouting change) {
    RoutingState current =
        findForUpdate(change.prompt())
            .orElseThrow(() -> new IllegalArgumentException("no routing for prompt " + change.prompt()));
    if (current.rolloutId() != null) {
      return FenceOutcome.STALE;
    }
    RoutingWrite write =
        new RoutingWrite(
            change.prompt(), null, null, current.fenceSeq() + 1, change.stableVersion(), change.canaryVersion(),
            change.canaryWeightBp());
    FenceOutcome outcome = apply(write);
    audit()
        .record(
            change.actor(),
            "routing.manual",
            change.prompt(),
            null,
            Json.write(java.util.Map.of("reason", change.reason(), "before", current, "after", write)));
    return outcome;
  }

  /**
   * Applies a fenced write. A write that finds the row already in its target state with a sequence at least
   * its own is a retry of itself and counts as success, so activities can be retried freely.
   */
  @Transaction
  default FenceOutcome apply(RoutingWrite write) {
    if (updateIfFenceAllows(write) == 1) {
      return FenceOutcome.APPLIED;
    }
    RoutingState current =
        find(write.prompt())
            .orElseThrow(() -> new IllegalArgumentException("no routing for prompt " + write.prompt()));
    boolean retryOfThisWrite = current.fenceSeq() >= write.sequence() && write.sameTargetAs(current);
    return retryOfThisWrite ? FenceOutcome.ALREADY_APPLIED : FenceOutcome.STALE;
  }
}
