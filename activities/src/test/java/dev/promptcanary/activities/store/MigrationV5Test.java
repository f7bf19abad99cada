package dev.promptcanary.activities.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptcanary.activities.ingest.Units;
import dev.promptcanary.testkit.EmbeddedPostgresServer;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * V5 on a database holding rows written before it: units backfilled, judgements joined, exposures
 * built.
 */
class MigrationV5Test {

  @Test
  void oldRowsGetTheirUnitsAndExposures() {
    EmbeddedPostgresServer server = TestDatabases.server();
    String name = "v5_" + ProcessHandle.current().pid();
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(server.jdbcUrl(name));
    ds.setUser(server.user());
    Flyway.configure()
        .dataSource(ds)
        .locations("classpath:db/migration")
        .target("4")
        .load()
        .migrate();
    Jdbi jdbi = Store.configure(Jdbi.create(ds));
    jdbi.useHandle(
        h -> {
          h.execute("INSERT INTO prompts (name) VALUES ('chat')");
          for (int v = 1; v <= 2; v++) {
            h.execute(
                "INSERT INTO prompt_versions (prompt, version, content_hash, system_prompt, template, model,"
                    + " author) VALUES ('chat', ?, ?, 's', 't', 'm', 'ana')",
                v,
                "h" + v);
          }
          h.execute(
              "INSERT INTO observations (request_id, prompt, version, unit, observed_at, latency_ms) VALUES"
                  + " ('r1', 'chat', 1, 'sess-a', '2026-01-01T00:00:05Z', 10),"
                  + " ('r2', 'chat', 2, 'sess-a', '2026-01-01T00:00:01Z', 10),"
                  + " ('r3', 'chat', 1, NULL, '2026-01-01T00:00:02Z', 10)");
          h.execute(
              "INSERT INTO judgements (request_id, judge, prompt, version, score, judged_at) VALUES"
                  + " ('r1', 'j', 'chat', 1, 0.5, '2026-01-01T00:05:00Z'), ('r3', 'j', 'chat', 1, 0.5, '2026-01-01T00:05:00Z'),"
                  + " ('gone', 'j', 'chat', 1, 0.5, '2026-01-01T00:05:00Z')");
          h.execute(
              "INSERT INTO judge_failures (request_id, judge, prompt, version, reason, failed_at) VALUES"
                  + " ('r2', 'j', 'chat', 2, 'timeout', '2026-01-01T00:05:00Z')");
        });

    Migrations.migrate(ds);

    List<Map<String, Object>> units =
        jdbi.withHandle(
            h ->
                h.select("SELECT request_id, unit FROM observations ORDER BY request_id")
                    .mapToMap()
                    .list());
    assertThat(units)
        .extracting(m -> m.get("unit"))
        .containsExactly("sess-a", "sess-a", Units.ofRequest("r3"));
    List<String> judged =
        jdbi.withHandle(
            h ->
                h.select(
                        "SELECT coalesce(unit, '-') || '@' || coalesce((served_at AT TIME ZONE 'UTC')::text, '-') FROM judgements ORDER BY request_id")
                    .mapTo(String.class)
                    .list());
    assertThat(judged)
        .containsExactly(
            "-@-", "sess-a@2026-01-01 00:00:05", Units.ofRequest("r3") + "@2026-01-01 00:00:02");
    String failure =
        jdbi.withHandle(h -> h.select("SELECT unit FROM judge_failures").mapTo(String.class).one());
    assertThat(failure).isEqualTo("sess-a");
    List<String> exposures =
        jdbi.withHandle(
            h ->
                h.select(
                        "SELECT unit || ':' || first_version || '@' || (first_served_at AT TIME ZONE 'UTC') FROM unit_exposures ORDER BY unit")
                    .mapTo(String.class)
                    .list());
    assertThat(exposures)
        .containsExactly(
            Units.ofRequest("r3") + ":1@2026-01-01 00:00:02", "sess-a:2@2026-01-01 00:00:01");
  }
}
