package dev.promptcanary.api.resources;

import dev.promptcanary.activities.routing.RoutingTable;
import dev.promptcanary.serving.RoutingSnapshot;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * This node's routing snapshot, rebuilt whenever its {@link RoutingTable} installs a change (a
 * local write, or another node's heard through LISTEN/NOTIFY), and the long-polls waiting for it:
 * each is answered as soon as the snapshot's ETag differs from the one it holds.
 */
public final class RoutingFeed {
  /** A long-poll holding {@code etag}, answered once (with the first snapshot that differs). */
  private record Waiter(String etag, Consumer<RoutingSnapshot> answer) {}

  private final RoutingTable table;
  private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();
  private volatile RoutingSnapshot current;

  public RoutingFeed(RoutingTable table) {
    this.table = table;
    this.current = table.snapshot();
    table.onChange(route -> changed());
  }

  public RoutingSnapshot current() {
    return current;
  }

  private synchronized void changed() {
    RoutingSnapshot next = table.snapshot();
    current = next;
    for (Waiter waiter : waiters) {
      if (!waiter.etag().equals(next.etag()) && waiters.remove(waiter)) {
        waiter.answer().accept(next);
      }
    }
  }

  /**
   * Calls {@code answer} once with the first snapshot whose ETag is not {@code etag}: at once when
   * the current one already differs. Returns a handle that cancels the wait (on its timeout).
   */
  public Runnable awaitChange(String etag, Consumer<RoutingSnapshot> answer) {
    Waiter waiter = new Waiter(etag, answer);
    waiters.add(waiter);
    // Registered first, then checked: a change between the caller's check and the registration
    // is not missed.
    RoutingSnapshot now = current;
    if (!now.etag().equals(etag) && waiters.remove(waiter)) {
      answer.accept(now);
    }
    return () -> waiters.remove(waiter);
  }

  /**
   * Answers every waiting poll now with the current snapshot (a 304 where it has not changed): on
   * shutdown, so a draining node neither holds its graceful stop for a poll's whole wait nor keeps
   * a client from reconnecting to another node.
   */
  public void releaseAll() {
    RoutingSnapshot now = current;
    for (Waiter waiter : waiters) {
      if (waiters.remove(waiter)) {
        waiter.answer().accept(now);
      }
    }
  }

  int waiting() {
    return waiters.size();
  }
}
