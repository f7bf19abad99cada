package dev.promptcanary.activities.store;

import com.google.common.util.concurrent.Uninterruptibles;
import dev.promptcanary.testkit.EmbeddedPostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * One real PostgreSQL server per test JVM, and a fresh, migrated database for each caller, so tests
 * never see each other's rows.
 *
 * <p>The migrations run once per server, into a template database; each fresh database is a copy of
 * it ({@code CREATE DATABASE ... TEMPLATE}), the same schema and Flyway history. Running Flyway for
 * every database took 4.7 s each on the loaded 2-core CI machine, the copy 0.2 s, and many classes
 * take a database per test method.
 */
public final class TestDatabases {
  private static final AtomicInteger COUNTER = new AtomicInteger();

  /** PostgreSQL's object_in_use: the template of a copy has a session connected. */
  private static final String TEMPLATE_IN_USE = "55006";

  private static EmbeddedPostgresServer server;
  private static String template;

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
      server = startTemporary();
      Runtime.getRuntime().addShutdownHook(new Thread(TestDatabases::stop));
    }
    return server;
  }

  /**
   * Starts the server, a second and third time on a new free port if it fails: the port is chosen
   * free and then bound by PostgreSQL, and test JVMs side by side (two per module, two modules at a
   * time in CI) start their servers together, so another may take it in between.
   */
  private static EmbeddedPostgresServer startTemporary() {
    IOException last = null;
    for (int attempt = 1; attempt <= 3; attempt++) {
      try {
        return EmbeddedPostgresServer.startTemporary();
      } catch (IOException e) {
        System.err.println("embedded PostgreSQL did not start (attempt " + attempt + "): " + e);
        last = e;
      }
    }
    throw new UncheckedIOException("embedded PostgreSQL did not start in 3 attempts", last);
  }

  public static TestDatabase fresh() {
    EmbeddedPostgresServer s = server();
    String name = "test_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
    copy(migratedTemplate(), name);
    String url = s.jdbcUrl(name);
    PGSimpleDataSource dataSource = dataSource(s, name);
    return new TestDatabase(url, s.user(), dataSource, Store.configure(Jdbi.create(dataSource)));
  }

  /** The database every fresh one copies: created and migrated on first use. */
  private static synchronized String migratedTemplate() {
    if (template == null) {
      EmbeddedPostgresServer s = server();
      String name = "migrated_template";
      s.jdbcUrl(name);
      // Flyway closes its connections when done: a template must have none open to be copied.
      Migrations.migrate(dataSource(s, name));
      closeToConnections(name);
      template = name;
    }
    return template;
  }

  /**
   * No session may connect to the template from now on, as with {@code template0}: a copy fails
   * while any session is connected to it, and autovacuum would otherwise visit it (its tables were
   * just written) at any time.
   */
  private static void closeToConnections(String template) {
    try {
      onPostgres("ALTER DATABASE " + template + " WITH ALLOW_CONNECTIONS false");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot close template " + template + " to connections", e);
    }
  }

  /**
   * Copies {@code template}, waiting out a session still connected to it: PostgreSQL itself waits
   * only 5 s for one to leave (a Flyway connection whose backend is still exiting, on a loaded
   * machine), then refuses with SQLState 55006.
   */
  private static void copy(String template, String database) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        onPostgres("CREATE DATABASE " + database + " TEMPLATE " + template);
        return;
      } catch (SQLException e) {
        if (!TEMPLATE_IN_USE.equals(e.getSQLState()) || System.nanoTime() > deadline) {
          throw new IllegalStateException("cannot create database " + database, e);
        }
        Uninterruptibles.sleepUninterruptibly(200, TimeUnit.MILLISECONDS);
      }
    }
  }

  private static void onPostgres(String sql) throws SQLException {
    try (Connection c = dataSource(server(), "postgres").getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static PGSimpleDataSource dataSource(EmbeddedPostgresServer s, String database) {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setUrl(s.jdbcUrl(database));
    dataSource.setUser(s.user());
    return dataSource;
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
