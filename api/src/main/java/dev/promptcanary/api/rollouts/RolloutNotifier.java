package dev.promptcanary.api.rollouts;

import dev.promptcanary.activities.routing.RoutingTable;
import dev.promptcanary.workflows.rollout.DataArrived;
import dev.promptcanary.workflows.rollout.RolloutMessages;
import io.dropwizard.lifecycle.Managed;
import io.temporal.client.WorkflowClient;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a running rollout that new outcomes arrived, so it looks at once instead of at its next
 * check. At most one signal a second per rollout: the first goes out immediately, later ones within
 * the second are merged into one sent when the second is over. Fire and forget: ingest never waits
 * on Temporal, and a lost signal only delays the look until the rollout's own check interval.
 */
public final class RolloutNotifier implements Managed {
  private static final Logger LOG = LoggerFactory.getLogger(RolloutNotifier.class);
  private static final long MIN_GAP_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final RoutingTable routes;
  private final WorkflowClient client;
  private final ScheduledExecutorService sender =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "rollout-notifier");
            t.setDaemon(true);
            return t;
          });
  private final ConcurrentHashMap<String, Long> lastSent = new ConcurrentHashMap<>();
  private final Set<String> pending = ConcurrentHashMap.newKeySet();
  private volatile long lastFailureLog;

  public RolloutNotifier(RoutingTable routes, WorkflowClient client) {
    this.routes = routes;
    this.client = client;
  }

  public void outcomesStored(Collection<String> prompts) {
    for (String prompt : prompts) {
      routes.route(prompt).map(r -> r.state().rolloutId()).ifPresent(this::schedule);
    }
  }

  private void schedule(String rolloutId) {
    if (!pending.add(rolloutId)) {
      return; // a signal is already on its way and will cover this data
    }
    long sinceLast =
        System.nanoTime() - lastSent.getOrDefault(rolloutId, System.nanoTime() - MIN_GAP_NANOS);
    long delay = Math.max(0, MIN_GAP_NANOS - sinceLast);
    sender.schedule(() -> send(rolloutId), delay, TimeUnit.NANOSECONDS);
  }

  private void send(String rolloutId) {
    pending.remove(rolloutId);
    lastSent.put(rolloutId, System.nanoTime());
    try {
      client
          .newUntypedWorkflowStub(rolloutId)
          .signal(RolloutMessages.DATA_ARRIVED, new DataArrived(System.currentTimeMillis()));
    } catch (RuntimeException e) {
      if (TemporalErrors.isFinished(e)) {
        // outcomes reported just after a rollout ended: nothing is waiting for them
        LOG.debug("rollout {} has ended; not notified of new data", rolloutId);
        return;
      }
      long now = System.nanoTime();
      if (now - lastFailureLog > TimeUnit.MINUTES.toNanos(1)) {
        lastFailureLog = now;
        LOG.warn(
            "could not notify rollout {} of new data (it will look at its next check): {}",
            rolloutId,
            TemporalErrors.rootMessage(e));
      }
    }
  }

  @Override
  public void stop() {
    sender.shutdownNow();
  }
}
