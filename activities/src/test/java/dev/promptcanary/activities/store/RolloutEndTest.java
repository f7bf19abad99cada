package dev.promptcanary.activities.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptcanary.activities.routing.FenceOutcome;
import dev.promptcanary.activities.routing.ManualRouting;
import dev.promptcanary.activities.routing.RoutingState;
import dev.promptcanary.workflows.rollout.Checkpoint;
import dev.promptcanary.workflows.rollout.RolloutRecord;
import dev.promptcanary.workflows.rollout.RolloutSpec;
import dev.promptcanary.workflows.rollout.RolloutState;
import dev.promptcanary.workflows.rollout.RoutingCommand;
import dev.promptcanary.workflows.rollout.RoutingReceipt;
import dev.promptcanary.workflows.rollout.Stage;
import dev.promptcanary.workflows.rollout.TimelineEntry;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An ended rollout never owns routing: the end of a rollout whose last routing write failed (or
 * whose workflow was terminated) hands routing back, manual routing and a new rollout are not
 * blocked by a claim an ended rollout left, and an ended rollout cannot claim routing again.
 */
class RolloutEndTest {
  private static final String ID = "rollout-chat-2";
  private Jdbi jdbi;
  private RoutingDao routing;
  private RolloutDao rollouts;
  private RolloutEndDao ends;

  @BeforeEach
  void setUp() {
    jdbi = TestDatabases.fresh().jdbi();
    Fixtures.twoVersionsOf(jdbi, "chat");
    routing = jdbi.onDemand(RoutingDao.class);
    rollouts = jdbi.onDemand(RolloutDao.class);
    ends = jdbi.onDemand(RolloutEndDao.class);
  }

  private static RolloutSpec spec() {
    return Fixtures.spec("chat", List.of(new Stage(500, 10, 0, 60)));
  }

  private static Checkpoint at(RolloutState state, long routingSequence) {
    return new Checkpoint(
        state,
        0,
        true,
        1,
        0,
        60_000,
        1,
        0,
        routingSequence,
        List.of(),
        List.of(new TimelineEntry(1, "stage 1 started", "canary at 5%")),
        state.isFinal() ? 0 : 500,
        null,
        0);
  }

  /** The rollout in its canary stage at 5%, owning routing at fence 1. */
  private void canaryAtFivePercent() {
    rollouts.insertPending(ID, "chat", 2, 1, spec());
    rollouts.upsert(
        new RolloutRecord(ID, "run-1", spec(), at(RolloutState.CANARY, 1), null, null), 1);
    RoutingReceipt claim =
        routing.applyForRollout(
            new RoutingCommand(ID, "chat", true, false, 1, 1, 2, 500, "stage 1"));
    assertThat(claim.applied()).isTrue();
  }

  /** The final record arrives, but the rollback's routing reset never did. */
  private void endedWithoutItsRoutingReset() {
    rollouts.upsert(
        new RolloutRecord(ID, "run-1", spec(), at(RolloutState.ROLLED_BACK, 1), "regression", null),
        2);
  }

  private static ManualRouting backToOne() {
    return new ManualRouting("chat", 1, null, 0, new Actor("oncall", "admin"), "undo");
  }

  @Test
  void manualRoutingIsRefusedWhileTheOwnerRunsAndAllowedOnceItEnded() {
    canaryAtFivePercent();
    assertThat(routing.applyManual(backToOne())).isEqualTo(FenceOutcome.STALE);

    endedWithoutItsRoutingReset();
    assertThat(routing.ownedByLiveRollout(routing.find("chat").orElseThrow())).isFalse();
    assertThat(routing.applyManual(backToOne())).isEqualTo(FenceOutcome.APPLIED);
    RoutingState state = routing.find("chat").orElseThrow();
    assertThat(state.rolloutId()).isNull();
    assertThat(state.canaryWeightBp()).isZero();
    assertThat(state.fenceSeq()).isEqualTo(2);

    // a late write of the ended rollout cannot take it back
    assertThat(
            routing
                .applyForRollout(
                    new RoutingCommand(ID, "chat", false, false, 2, 1, 2, 2500, "late"))
                .applied())
        .isFalse();
  }

  @Test
  void anEndedRolloutClaimsNothingAndItsLeftoverClaimDoesNotBlockTheNext() {
    canaryAtFivePercent();
    endedWithoutItsRoutingReset();
    RoutingReceipt lateClaim =
        routing.applyForRollout(new RoutingCommand(ID, "chat", true, false, 1, 1, 2, 500, "late"));
    assertThat(lateClaim.applied()).isFalse();
    assertThat(lateClaim.detail()).contains("has ended");

    RoutingReceipt next =
        routing.applyForRollout(
            new RoutingCommand("rollout-chat-2-2", "chat", true, false, 1, 1, 2, 1000, "stage 1"));
    assertThat(next.applied()).as(next.detail()).isTrue();
    RoutingState state = routing.find("chat").orElseThrow();
    assertThat(state.rolloutId()).isEqualTo("rollout-chat-2-2");
    assertThat(state.fenceSeq()).isEqualTo(2);
  }

  @Test
  void releasingAtTheEndResetsRoutingOnceAndOnlyWhileTheRolloutOwnsIt() {
    canaryAtFivePercent();
    endedWithoutItsRoutingReset();

    var reset = ends.releaseRouting(ID, "chat", RolloutState.ROLLED_BACK, "regression");
    assertThat(reset).isPresent();
    RoutingState state = routing.find("chat").orElseThrow();
    assertThat(state.stableVersion()).isEqualTo(1);
    assertThat(state.canaryVersion()).isNull();
    assertThat(state.canaryWeightBp()).isZero();
    assertThat(state.rolloutId()).isNull();
    assertThat(state.fenceSeq()).isEqualTo(2);

    // a retry changes nothing, and neither does an end of a rollout that does not own the row
    assertThat(ends.releaseRouting(ID, "chat", RolloutState.ROLLED_BACK, "regression")).isEmpty();
    assertThat(ends.releaseRouting("rollout-chat-9", "chat", RolloutState.ABORTED, "x")).isEmpty();
    assertThat(routing.find("chat").orElseThrow().fenceSeq()).isEqualTo(2);
    assertThat(auditActions()).containsExactly("routing.rollout", "routing.rollout");
  }

  @Test
  void anUnrecordedEndIsWrittenOnceWithRoutingResetAndAudited() {
    canaryAtFivePercent();

    var ended =
        ends.endUnrecorded(ID, RolloutState.ABORTED, "workflow terminated in Temporal", 5_000);
    assertThat(ended.rowEnded()).isTrue();
    assertThat(ended.routingReset()).isPresent();
    RolloutDao.Row row = rollouts.find(ID).orElseThrow();
    assertThat(row.state()).isEqualTo("ABORTED");
    assertThat(row.reason()).isEqualTo("workflow terminated in Temporal");
    assertThat(row.finishedAt()).isNotNull();
    assertThat(row.checkpoint().state()).isEqualTo(RolloutState.ABORTED);
    assertThat(row.checkpoint().timeline())
        .extracting(TimelineEntry::event)
        .containsExactly("stage 1 started", "end recorded");
    assertThat(rollouts.active()).isEmpty();
    RoutingState state = routing.find("chat").orElseThrow();
    assertThat(state.rolloutId()).isNull();
    assertThat(state.canaryWeightBp()).isZero();

    // a second worker's recovery, or a retry, finds it ended and changes nothing
    var again = ends.endUnrecorded(ID, RolloutState.ABORTED, "again", 6_000);
    assertThat(again.rowEnded()).isFalse();
    assertThat(rollouts.find(ID).orElseThrow().reason())
        .isEqualTo("workflow terminated in Temporal");
    assertThat(auditActions())
        .containsExactly("routing.rollout", "routing.rollout", "rollout.end_recorded");
  }

  @Test
  void aPromotionsUnrecordedEndMakesTheCandidateStable() {
    canaryAtFivePercent();
    var ended = ends.endUnrecorded(ID, RolloutState.PROMOTED, "every stage passed", 5_000);
    assertThat(ended.rowEnded()).isTrue();
    RoutingState state = routing.find("chat").orElseThrow();
    assertThat(state.stableVersion()).isEqualTo(2);
    assertThat(state.rolloutId()).isNull();
    assertThat(routing.lastKnownGood("chat")).isEqualTo(1);
  }

  private List<String> auditActions() {
    return jdbi.withHandle(
        h ->
            h.select("SELECT action FROM audit_log WHERE rollout_id = :id ORDER BY id")
                .bind("id", ID)
                .mapTo(String.class)
                .list());
  }
}
