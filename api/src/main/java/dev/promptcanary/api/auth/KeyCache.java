package dev.promptcanary.api.auth;

import dev.promptcanary.activities.store.ApiKeyDao;
import dev.promptcanary.activities.store.ApiKeyDao.StoredKey;
import io.dropwizard.lifecycle.Managed;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's copy of the live API keys, by hash: a request is authenticated from memory, never by
 * a database round trip (so a flood of bad keys costs no queries). The key table is small, so the
 * whole of it is reloaded every {@code interval} (250 ms by default): a key revoked or created
 * through any node is refused or accepted by every node within a second, like routing changes, and
 * no notification can be missed. The node that made a change reloads at once.
 */
public final class KeyCache implements Managed {
  private static final Logger LOG = LoggerFactory.getLogger(KeyCache.class);

  private final ApiKeyDao keys;
  private final Duration interval;
  private volatile Map<String, Caller> byHash = Map.of();
  private ScheduledExecutorService poller;

  public KeyCache(ApiKeyDao keys, Duration interval) {
    this.keys = keys;
    this.interval = interval;
  }

  public Optional<Caller> find(String secret) {
    return Optional.ofNullable(byHash.get(ApiKeys.hash(secret)));
  }

  public void reload() {
    Map<String, Caller> next = new HashMap<>();
    for (StoredKey key : keys.live()) {
      next.put(
          key.secretHash(),
          new Caller(key.key().name(), Role.parse(key.key().role()), key.key().id()));
    }
    byHash = Map.copyOf(next);
  }

  /** Loads the keys before the API takes traffic, then keeps them in step. */
  @Override
  public void start() {
    reload();
    poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "api-key-cache");
              thread.setDaemon(true);
              return thread;
            });
    poller.scheduleWithFixedDelay(
        this::reloadQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void reloadQuietly() {
    try {
      reload();
    } catch (RuntimeException e) {
      // The last good copy keeps serving; the next poll tries again.
      LOG.warn("reloading API keys failed: {}", e.getMessage());
    }
  }

  @Override
  public void stop() {
    if (poller != null) {
      poller.shutdownNow();
    }
  }
}
