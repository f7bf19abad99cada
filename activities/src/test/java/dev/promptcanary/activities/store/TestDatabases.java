package dev.promptcanary.activities.store;

import dev.promptcanary.testkit.EmbeddedPostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
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
      template = name;
    }
    return template;
  }

  private static void copy(String template, String database) {
    try (Connection c = dataSource(server(), "postgres").getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + database + " TEMPLATE " + template);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create database " + database, e);
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
