package dev.promptcanary.api;

import java.util.List;
import org.jdbi.v3.core.Jdbi;

/** Counts every row of every table, to show a refused request wrote nothing. */
public final class Rows {
  private Rows() {}

  public static long total(Jdbi jdbi) {
    return jdbi.withHandle(
        h -> {
          List<String> tables =
              h.createQuery(
                      "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public'"
                          + " AND tablename <> 'flyway_schema_history'")
                  .mapTo(String.class)
                  .list();
          String sql =
              String.join(
                  " + ", tables.stream().map(t -> "(SELECT count(*) FROM " + t + ")").toList());
          return h.createQuery("SELECT " + sql).mapTo(Long.class).one();
        });
  }
}
