package dev.promptcanary.activities.store;

import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.jackson2.Jackson2Config;
import org.jdbi.v3.jackson2.Jackson2Plugin;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;

/** Configures a Jdbi for the promptcanary schema: plugins and the row mappers the DAOs rely on. */
public final class Store {
  private Store() {}

  public static Jdbi configure(Jdbi jdbi) {
    jdbi.installPlugin(new SqlObjectPlugin());
    jdbi.installPlugin(new PostgresPlugin());
    jdbi.installPlugin(new Jackson2Plugin());
    jdbi.getConfig(Jackson2Config.class).setMapper(Json.MAPPER);
    jdbi.registerRowMapper(new PromptVersionMapper());
    return jdbi;
  }
}
