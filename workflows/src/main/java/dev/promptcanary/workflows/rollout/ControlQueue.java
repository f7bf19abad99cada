package dev.promptcanary.workflows.rollout;

import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Controls waiting for the rollout, in arrival order, and the answers their update handlers wait
 * for. An update handler only queues its control ({@link #submit}); the rollout handles it on its
 * own thread, so a control never runs beside a step it would race with (samples-java {@code
 * safemessagepassing}).
 */
final class ControlQueue {
  record Pending(int id, ControlKind kind, ControlRequest request) {}

  private final Deque<Pending> pending = new ArrayDeque<>();
  private final Map<Integer, ControlResult> answers = new HashMap<>();

  /** Why a control was refused after its validator let it in, by control id. */
  private final Map<Integer, String> refusals = new HashMap<>();

  private int submitted;

  /**
   * Called by an update handler: queues the control and returns its answer once the rollout gave
   * one, or fails the update with {@link RolloutMessages#CONTROL_NOT_ALLOWED} if the rollout
   * refused it ({@link #refuseRemaining}).
   */
  ControlResult submit(ControlKind kind, ControlRequest request) {
    int id = ++submitted;
    pending.addLast(new Pending(id, kind, request));
    Workflow.await(() -> answers.containsKey(id) || refusals.containsKey(id));
    String refusal = refusals.remove(id);
    if (refusal != null) {
      throw ApplicationFailure.newNonRetryableFailure(refusal, RolloutMessages.CONTROL_NOT_ALLOWED);
    }
    return answers.remove(id);
  }

  boolean isEmpty() {
    return pending.isEmpty();
  }

  /**
   * Whether an abort or bypass is waiting: these end the rollout, so they end whatever it waits
   * for.
   */
  boolean hasFinal() {
    return pending.stream()
        .anyMatch(c -> c.kind() == ControlKind.ABORT || c.kind() == ControlKind.BYPASS);
  }

  /** The kind of the next control; only while one is waiting. */
  ControlKind peekKind() {
    return pending.peekFirst().kind();
  }

  void awaitAny() {
    Workflow.await(() -> !pending.isEmpty());
  }

  Pending next() {
    return pending.pollFirst();
  }

  void answer(Pending control, RolloutState state, String message) {
    answers.put(control.id(), new ControlResult(state, message));
  }

  /**
   * Answers every waiting control as if done: the rollout ended before it got to them. The code
   * before {@link ChangeIds#ENDED_ROLLOUT_REFUSES_WAITING_CONTROLS}, kept for replays: the caller
   * was told 200 for a control nothing acted on or audited.
   */
  void failRemaining(RolloutState state) {
    while (!pending.isEmpty()) {
      answer(pending.pollFirst(), state, "the rollout had already ended");
    }
  }

  /**
   * Refuses every waiting control: the rollout ended before it got to them, so none took effect and
   * none is audited; each caller is told so as a refusal (the API's 409), like a control that
   * reached an ended rollout.
   */
  void refuseRemaining(RolloutState state) {
    while (!pending.isEmpty()) {
      Pending control = pending.pollFirst();
      refusals.put(
          control.id(),
          "the rollout ended ("
              + state
              + ") before this "
              + control.kind().action()
              + " was handled; it had no effect");
    }
  }
}
