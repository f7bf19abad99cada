package dev.promptcanary.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.promptcanary.activities.store.ApiKeyDao;
import dev.promptcanary.activities.store.TestDatabases;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import dev.promptcanary.api.PromptCanaryApplication;
import dev.promptcanary.api.config.AuthFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The first admin key: from the environment on a first start, or from the `key create` command. */
class BootstrapTest {
  @Test
  void theBootstrapKeyIsStoredOnlyWhileThereIsNoLiveAdminKey() {
    TestDatabase db = TestDatabases.fresh();
    ApiKeyDao keys = db.jdbi().onDemand(ApiKeyDao.class);
    AuthFactory config = new AuthFactory();
    String first = ApiKeys.newSecret();
    config.setBootstrapAdminKey(first);

    ApiAuth.bootstrap(config, keys);
    ApiAuth.bootstrap(config, keys); // a second node starting at the same time, or a restart
    List<ApiKeyDao.StoredKey> live = keys.live();
    assertThat(live).hasSize(1);
    assertThat(live.get(0).key().role()).isEqualTo("admin");
    assertThat(live.get(0).key().name()).isEqualTo("bootstrap-admin");
    assertThat(live.get(0).secretHash()).isEqualTo(ApiKeys.hash(first)).doesNotContain(first);

    // Once an admin key exists, another secret in the environment is ignored.
    config.setBootstrapAdminKey(ApiKeys.newSecret());
    ApiAuth.bootstrap(config, keys);
    assertThat(keys.live()).hasSize(1);

    // A revoked bootstrap secret left in the environment does not come back.
    keys.revoke(
        live.get(0).key().id(), new dev.promptcanary.activities.store.Actor("ops", "admin"), "x");
    config.setBootstrapAdminKey(first);
    ApiAuth.bootstrap(config, keys);
    assertThat(keys.live()).isEmpty();

    config.setBootstrapAdminKey("short");
    assertThatThrownBy(() -> ApiAuth.bootstrap(config, keys))
        .hasMessageContaining(AuthFactory.BOOTSTRAP_ENV);
  }

  @Test
  void keyCreateMakesAKeyInTheDatabaseAndPrintsItsSecretOnce(@TempDir Path dir) throws Exception {
    TestDatabase db = TestDatabases.fresh();
    Path config = dir.resolve("config.yml");
    Files.writeString(
        config,
        """
        database:
          driverClass: org.postgresql.Driver
          url: %s
          user: %s
        logging:
          level: WARN
        """
            .formatted(db.jdbcUrl(), db.user()));
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      new PromptCanaryApplication()
          .run("key", "create", "--role", "admin", "--name", "ops-oncall", config.toString());
    } finally {
      System.setOut(original);
    }
    List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
    String secret = lines.get(lines.size() - 1).strip();
    assertThat(secret).startsWith(ApiKeys.PREFIX);
    ApiKeyDao.StoredKey stored =
        db.jdbi().onDemand(ApiKeyDao.class).live().stream()
            .filter(k -> k.key().name().equals("ops-oncall"))
            .findFirst()
            .orElseThrow();
    assertThat(stored.key().role()).isEqualTo("admin");
    assertThat(stored.secretHash()).isEqualTo(ApiKeys.hash(secret));
    String createdBy =
        db.jdbi()
            .withHandle(
                h ->
                    h.select(
                            "SELECT actor || '/' || role FROM audit_log WHERE action = 'key.create'")
                        .mapTo(String.class)
                        .one());
    assertThat(createdBy).endsWith("/cli");
  }
}
