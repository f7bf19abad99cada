package dev.promptcanary.activities.store;

import dev.promptcanary.testkit.EmbeddedPostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * One real PostgreSQL server per test JVM, and a fresh, migrated database for each caller, so tests
 * never see each other's rows.
 */
public final class TestDatabases {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static EmbeddedPostgresServer server;

  /** A migrated database of its own. */
  public record TestDatabase(
      String jdbcUrl, String user, PGSimpleDataSource dataSource, Jdbi jdbi) {
    public Properties connectionProperties() {
      Properties properties = new Properties();
      properties.setProperty("user", user);
      return properties;
    }
  }

  private TestDatabases() {}

  public static synchronized EmbeddedPostgresServer server() {
    if (server == null) {
      try {
        server = EmbeddedPostgresServer.startTemporary();
      } catch (IOException e) {
        throw new UncheckedIOException("embedded PostgreSQL did not start", e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(TestDatabases::stop));
    }
    return server;
  }

  public static TestDatabase fresh() {
    EmbeddedPostgresServer s = server();
    String name = "test_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
    String url = s.jdbcUrl(name);
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setUrl(url);
    dataSource.setUser(s.user());
    Migrations.migrate(dataSource);
    return new TestDatabase(url, s.user(), dataSource, Store.configure(Jdbi.create(dataSource)));
  }

  private static synchronized void stop() {
    try {
      if (server != null) {
        server.close();
      }
    } catch (IOException ignored) {
      // the JVM is exiting
    }
  }
}
