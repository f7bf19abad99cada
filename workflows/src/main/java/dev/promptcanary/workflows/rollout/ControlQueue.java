package dev.promptcanary.workflows.rollout;

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
  private int submitted;

  /**
   * Called by an update handler: queues the control and returns its answer once the rollout gave
   * one.
   */
  ControlResult submit(ControlKind kind, ControlRequest request) {
    int id = ++submitted;
    pending.addLast(new Pending(id, kind, request));
    Workflow.await(() -> answers.containsKey(id));
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

  /** Answers every waiting control: the rollout ended before it got to them. */
  void failRemaining(RolloutState state) {
    while (!pending.isEmpty()) {
      answer(pending.pollFirst(), state, "the rollout had already ended");
    }
  }
}
