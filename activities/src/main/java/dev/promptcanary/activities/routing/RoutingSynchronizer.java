package dev.promptcanary.activities.routing;

import dev.promptcanary.activities.observability.LatencyBuckets;
import dev.promptcanary.serving.BackgroundLoop;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's {@link RoutingTable} in step with PostgreSQL. A trigger on the routing table
 * sends a notification naming the prompt at commit; this thread listens on its own connection and
 * reloads that prompt, so a change reaches every node well within a second. A periodic full reload
 * is the safety net for anything a dropped connection made it miss, and after a reconnect
 * everything is reloaded at once.
 */
public final class RoutingSynchronizer implements AutoCloseable {
  public static final String CHANNEL = "promptcanary_routing";
  private static final Logger LOG = LoggerFactory.getLogger(RoutingSynchronizer.class);
  private static final int POLL_MILLIS = 250;

  private final RoutingLoader loader;
  private final String jdbcUrl;
  private final Properties connectionProperties;
  private final Duration fullReloadInterval;
  private final BackgroundLoop loop;
  private volatile Connection connection;
  private final Timer propagation;

  public RoutingSynchronizer(
      RoutingLoader loader,
      String jdbcUrl,
      Properties connectionProperties,
      Duration fullReloadInterval) {
    this(loader, jdbcUrl, connectionProperties, fullReloadInterval, new SimpleMeterRegistry());
  }

  /**
   * {@code meters} gets {@code promptcanary.routing.propagation}: from a routing row's write
   * ({@code updated_at}, the database's clock) to this node serving it, per notification.
   */
  public RoutingSynchronizer(
      RoutingLoader loader,
      String jdbcUrl,
      Properties connectionProperties,
      Duration fullReloadInterval,
      MeterRegistry meters) {
    this.propagation =
        Timer.builder("promptcanary.routing.propagation")
            .description(
                "From a routing change's write in PostgreSQL to this node serving it (includes"
                    + " clock skew between the database and this node)")
            .serviceLevelObjectives(
                LatencyBuckets.between(Duration.ofMillis(50), Duration.ofSeconds(5)))
            .register(meters);
    this.loader = loader;
    this.jdbcUrl = jdbcUrl;
    this.connectionProperties = connectionProperties;
    this.fullReloadInterval = fullReloadInterval;
    this.loop = new BackgroundLoop("routing-synchronizer", this::run);
  }

  /** Loads every route before returning, so a node never answers resolve from an empty table. */
  public void start() {
    loader.reloadAll();
    loop.start();
  }

  private void run() {
    long nextFullReload = 0;
    while (loop.running()) {
      try {
        if (connection == null) {
          connection = listen();
          loader.reloadAll();
          nextFullReload = System.nanoTime() + fullReloadInterval.toNanos();
        }
        PGNotification[] notifications =
            connection.unwrap(PGConnection.class).getNotifications(POLL_MILLIS);
        if (notifications != null) {
          for (PGNotification notification : notifications) {
            loader
                .reload(notification.getParameter())
                .ifPresent(
                    route ->
                        propagation.record(
                            Duration.between(route.state().updatedAt(), Instant.now())));
          }
        }
        if (System.nanoTime() - nextFullReload >= 0) {
          loader.reloadAll();
          nextFullReload = System.nanoTime() + fullReloadInterval.toNanos();
        }
      } catch (SQLException | RuntimeException e) {
        if (!loop.running()) {
          return;
        }
        LOG.warn("routing listener lost its connection; reconnecting in 1 s: {}", e.getMessage());
        closeConnection();
        sleepQuietly(1000);
      }
    }
  }

  private Connection listen() throws SQLException {
    Connection c = DriverManager.getConnection(jdbcUrl, connectionProperties);
    try (Statement statement = c.createStatement()) {
      statement.execute("LISTEN " + CHANNEL);
    }
    return c;
  }

  private void closeConnection() {
    Connection c = connection;
    connection = null;
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // already broken; nothing to release
      }
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    loop.stop();
    closeConnection();
  }
}
