package dev.promptcanary.bench;

import dev.promptcanary.activities.store.Migrations;
import dev.promptcanary.activities.store.PromptDao;
import dev.promptcanary.activities.store.Store;
import dev.promptcanary.serving.FewShotExample;
import dev.promptcanary.serving.PromptContent;
import dev.promptcanary.testkit.EmbeddedPostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The store of a benchmark that writes to PostgreSQL itself, without the packaged server: the
 * schema migrated as the server would, and the two prompt versions a rollout compares.
 */
public final class BenchStore {
  private BenchStore() {}

  /**
   * Migrates the database at {@code url} on {@code postgres} and returns it configured as served.
   */
  public static Jdbi migrated(EmbeddedPostgresServer postgres, String url) {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setUrl(url);
    dataSource.setUser(postgres.user());
    Migrations.migrate(dataSource);
    return Store.configure(Jdbi.create(dataSource));
  }

  /** A connection to a dev stack's database, as the superuser the stack runs PostgreSQL with. */
  public static Connection connect(String jdbcUrl) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", "postgres");
    return DriverManager.getConnection(jdbcUrl, props);
  }

  /**
   * Versions 1 and 2 of {@code prompt}, a support prompt whose system message is {@code system}
   * followed by the version number.
   */
  public static void createTwoVersions(Jdbi jdbi, String prompt, String system) {
    PromptDao prompts = jdbi.onDemand(PromptDao.class);
    for (int v = 1; v <= 2; v++) {
      prompts.createVersion(
          prompt,
          new PromptContent(
              system + " " + v + ".",
              List.of(new FewShotExample("Where is my order?", "Let me check.")),
              "Q: {{q}}",
              "sim-model",
              Map.of("temperature", 0.2)),
          "bench");
    }
  }
}
