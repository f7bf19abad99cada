package dev.promptcanary.activities.store;

import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;

/** Configures a Jdbi for the promptcanary schema: plugins and the row mappers the DAOs rely on. */
public final class Store {
  private Store() {}

  public static Jdbi configure(Jdbi jdbi) {
    jdbi.installPlugin(new SqlObjectPlugin());
    jdbi.installPlugin(new PostgresPlugin());
    jdbi.registerRowMapper(new PromptVersionMapper());
    return jdbi;
  }
}
