package dev.promptcanary.activities.store;

import dev.promptcanary.activities.routing.FenceOutcome;
import dev.promptcanary.activities.routing.ManualRouting;
import dev.promptcanary.activities.routing.RoutingState;
import dev.promptcanary.activities.routing.RoutingWrite;
import dev.promptcanary.workflows.rollout.RolloutState;
import dev.promptcanary.workflows.rollout.RoutingCommand;
import dev.promptcanary.workflows.rollout.RoutingReceipt;
import java.util.List;
import java.util.Optional;
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

  @SqlQuery("SELECT state FROM rollouts WHERE id = :id")
  Optional<String> rolloutState(@Bind("id") String rolloutId);

  /**
   * Whether the rollout {@code rolloutId} has ended in the read model. An ended rollout never owns
   * routing, whatever the row says (its last routing write may have failed): its claim is void.
   */
  default boolean hasEnded(String rolloutId) {
    return rolloutState(rolloutId)
        .map(state -> RolloutState.valueOf(state).isFinal())
        .orElse(false);
  }

  /** Whether a rollout that has not ended owns this routing. */
  default boolean ownedByLiveRollout(RoutingState state) {
    return state.rolloutId() != null && !hasEnded(state.rolloutId());
  }

  /**
   * Sets routing by hand. Refused (STALE) while a running rollout owns the prompt: the rollout's
   * next write would silently undo it. A claim left by an ended rollout is released by the write.
   * The sequence is taken under the row lock, so concurrent manual writes serialise.
   */
  @Transaction
  default FenceOutcome applyManual(ManualRouting change) {
    RoutingState current =
        findForUpdate(change.prompt())
            .orElseThrow(
                () -> new IllegalArgumentException("no routing for prompt " + change.prompt()));
    if (ownedByLiveRollout(current)) {
      return FenceOutcome.STALE;
    }
    RoutingWrite write =
        new RoutingWrite(
            change.prompt(),
            current.rolloutId(),
            null,
            current.fenceSeq() + 1,
            change.stableVersion(),
            change.canaryVersion(),
            change.canaryWeightBp());
    FenceOutcome outcome = apply(write);
    audit()
        .record(
            change.actor(),
            "routing.manual",
            change.prompt(),
            null,
            change.reason(),
            current,
            write);
    return outcome;
  }

  /** The stable version the last promotion replaced; null before the first. */
  @SqlQuery("SELECT last_known_good_version FROM routing WHERE prompt = :prompt")
  Integer lastKnownGood(@Bind("prompt") String prompt);

  @SqlUpdate("UPDATE routing SET last_known_good_version = :version WHERE prompt = :prompt")
  void setLastKnownGood(@Bind("prompt") String prompt, @Bind("version") int version);

  /**
   * A rollout's routing write. A claim takes the row only when nobody owns it and starts from the
   * row's own sequence; a retried claim finds the row already ours and succeeds. Later writes are
   * fenced by the rollout's sequence. A promotion remembers the stable version it replaced as the
   * last known good one. A rollout that has ended claims nothing (a late claim of a terminated run
   * must not take routing back), and a claim left by an ended rollout does not block a new one.
   */
  @Transaction
  default RoutingReceipt applyForRollout(RoutingCommand command) {
    RoutingState current =
        findForUpdate(command.prompt())
            .orElseThrow(
                () -> new IllegalArgumentException("no routing for prompt " + command.prompt()));
    String newOwner = command.release() ? null : command.rolloutId();
    long sequence = command.sequence();
    String expectedOwner = command.rolloutId();
    if (command.claim()) {
      if (hasEnded(command.rolloutId())) {
        return new RoutingReceipt(
            false, current.fenceSeq(), "rollout " + command.rolloutId() + " has ended");
      }
      if (command.rolloutId().equals(current.rolloutId())) {
        return new RoutingReceipt(true, current.fenceSeq(), "already claimed");
      }
      if (ownedByLiveRollout(current)) {
        return new RoutingReceipt(
            false, current.fenceSeq(), "routing is owned by rollout " + current.rolloutId());
      }
      sequence = current.fenceSeq() + 1;
      expectedOwner = current.rolloutId();
    }
    RoutingWrite write =
        new RoutingWrite(
            command.prompt(),
            expectedOwner,
            newOwner,
            sequence,
            command.stableVersion(),
            command.canaryVersion(),
            command.canaryWeightBp());
    if (command.claim() && command.release() && write.sameTargetAs(current)) {
      return new RoutingReceipt(true, current.fenceSeq(), "already applied");
    }
    FenceOutcome outcome = apply(write);
    if (outcome == FenceOutcome.STALE) {
      return new RoutingReceipt(
          false,
          current.fenceSeq(),
          "stale write "
              + sequence
              + " (routing is at "
              + current.fenceSeq()
              + ", owned by "
              + (current.rolloutId() == null ? "nobody" : current.rolloutId())
              + ")");
    }
    if (outcome == FenceOutcome.APPLIED && current.stableVersion() != command.stableVersion()) {
      setLastKnownGood(command.prompt(), current.stableVersion());
    }
    if (outcome == FenceOutcome.APPLIED && !write.sameTargetAs(current)) {
      // Only an applied write is audited (a retry finds it already applied), so it is stored once.
      audit()
          .record(
              Actor.SYSTEM,
              "routing.rollout",
              command.prompt(),
              command.rolloutId(),
              command.why(),
              current,
              write);
    }
    return new RoutingReceipt(
        true, Math.max(sequence, current.fenceSeq()), outcome.name().toLowerCase());
  }

  /**
   * Applies a fenced write. A write that finds the row already in its target state with a sequence
   * at least its own is a retry of itself and counts as success, so activities can be retried
   * freely.
   */
  @Transaction
  default FenceOutcome apply(RoutingWrite write) {
    if (updateIfFenceAllows(write) == 1) {
      return FenceOutcome.APPLIED;
    }
    RoutingState current =
        find(write.prompt())
            .orElseThrow(
                () -> new IllegalArgumentException("no routing for prompt " + write.prompt()));
    boolean retryOfThisWrite =
        current.fenceSeq() >= write.sequence() && write.sameTargetAs(current);
    return retryOfThisWrite ? FenceOutcome.ALREADY_APPLIED : FenceOutcome.STALE;
  }
}
