package dev.promptcanary.workflows.rollout;

import dev.promptcanary.workflows.domain.Verdict;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import org.slf4j.Logger;

/**
 * The one way a rollout ends: {@link #finish} puts it in a final state (so {@link
 * RolloutState#isFinal()} is how every step knows it ended), records, publishes and alerts it, and
 * makes the {@link RolloutResult} the run returns. Rollback and promotion write routing first.
 */
final class Endings {
  private static final Logger LOG = Workflow.getLogger(Endings.class);

  private final String rolloutId;
  private final RolloutSpec spec;
  private final RolloutMemory memory;
  private final ActivityStubs stubs;
  private final RoutingCommands routing;
  private final Bookkeeping bookkeeping;
  private final SearchAttributePublisher searchAttributes;
  private RolloutResult result;

  Endings(
      String rolloutId,
      RolloutSpec spec,
      RolloutMemory memory,
      ActivityStubs stubs,
      RoutingCommands routing,
      Bookkeeping bookkeeping,
      SearchAttributePublisher searchAttributes) {
    this.rolloutId = rolloutId;
    this.spec = spec;
    this.memory = memory;
    this.stubs = stubs;
    this.routing = routing;
    this.bookkeeping = bookkeeping;
    this.searchAttributes = searchAttributes;
  }

  /**
   * Routing back to the baseline version, then the end; a reset that keeps failing still ends,
   * saying so.
   */
  RolloutResult rollback(RolloutState state, String reason, Verdict verdict) {
    if (memory.routingClaimed()) {
      try {
        RoutingReceipt receipt =
            stubs.step("roll back to v" + spec.baselineVersion()).setRouting(routing.rollback());
        reason =
            receipt.applied()
                ? reason
                : reason + " (routing was not ours to reset: " + receipt.detail() + ")";
        memory.routingSequence = Math.max(memory.routingSequence, receipt.sequence());
      } catch (ActivityFailure e) {
        stubs.rethrowUnderOldCode(e);
        reason =
            reason + " (routing could not be reset, set it by hand: " + Text.rootMessage(e) + ")";
      }
    }
    memory.canaryWeightBp = 0;
    return finish(
        state, state == RolloutState.ABORTED ? "aborted" : "rolled_back", reason, verdict);
  }

  /**
   * The candidate version made stable, then the end; a promotion that cannot be written rolls back
   * instead.
   */
  RolloutResult promote(RolloutState state, String reason, Verdict verdict) {
    RoutingReceipt receipt;
    try {
      receipt =
          stubs
              .step("promote v" + spec.candidateVersion() + " to stable")
              .setRouting(routing.promote(state == RolloutState.BYPASSED));
    } catch (ActivityFailure e) {
      stubs.rethrowUnderOldCode(e);
      return rollback(RolloutState.ABORTED, "could not promote: " + Text.rootMessage(e), verdict);
    }
    if (!receipt.applied()) {
      return finish(
          RolloutState.ABORTED, "aborted", "could not promote: " + receipt.detail(), verdict);
    }
    memory.routingSequence = receipt.sequence();
    memory.canaryWeightBp = 10_000;
    return finish(state, state == RolloutState.BYPASSED ? "bypassed" : "promoted", reason, verdict);
  }

  RolloutResult finish(RolloutState state, String event, String reason, Verdict verdict) {
    memory.state = state;
    memory.note(Workflow.currentTimeMillis(), event, reason);
    searchAttributes.publish();
    bookkeeping.record(reason, null);
    bookkeeping.alert(event, reason, verdict);
    LOG.info("rollout {} ended {}: {}", rolloutId, state, reason);
    result = new RolloutResult(state, reason, memory.stageIndex, memory.canaryWeightBp);
    return result;
  }

  /** How the rollout ended; null until it did. */
  RolloutResult result() {
    return result;
  }
}
