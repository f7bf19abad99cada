package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.promptcanary.activities.store.Actor;
import dev.promptcanary.activities.store.ApiKeyDao;
import dev.promptcanary.activities.store.TestDatabases;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import dev.promptcanary.api.auth.Role;
import dev.promptcanary.api.commands.KeyCommand;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code key revoke --all}, the restore procedure's fallback when the revocations made since the
 * backup cannot be known (docs/operations.md, section 8): every live key is revoked, the last admin
 * key included (the API refuses that one), and a new admin key can then be created.
 */
class KeyRevokeAllTest {
  static final Actor CLI = new Actor("ops-on-call", "cli");

  @Test
  void revokeAllRevokesEveryLiveKeyAndANewAdminKeyCanBeMadeAfter() {
    TestDatabase db = TestDatabases.fresh();
    KeyCommand.create(db.jdbi(), "only-admin", Role.ADMIN, CLI);
    KeyCommand.create(db.jdbi(), "app", Role.CLIENT, CLI);
    long rotatedAway = KeyCommand.create(db.jdbi(), "old", Role.READER, CLI).id();
    KeyCommand.revoke(db.jdbi(), false, List.of(rotatedAway), "already gone", CLI);
    ApiKeyDao keys = db.jdbi().onDemand(ApiKeyDao.class);

    List<ApiKeyDao.ApiKey> revoked =
        KeyCommand.revoke(db.jdbi(), true, null, "restored from the backup of 1 Dec", CLI);

    assertThat(revoked).extracting(ApiKeyDao.ApiKey::name).containsExactly("only-admin", "app");
    assertThat(keys.live()).isEmpty();
    assertThat(keys.liveAdmins()).isZero();
    assertThat(KeyCommand.revoke(db.jdbi(), true, null, "again", CLI)).isEmpty();
    KeyCommand.create(db.jdbi(), "only-admin", Role.ADMIN, CLI);
    assertThat(keys.liveAdmins()).isEqualTo(1);
    assertThatThrownBy(() -> KeyCommand.revoke(db.jdbi(), true, List.of(1L), "both", CLI))
        .hasMessageContaining("either --id N ... or --all");
    assertThatThrownBy(() -> KeyCommand.revoke(db.jdbi(), false, List.of(), "neither", CLI))
        .hasMessageContaining("either --id N ... or --all");
  }
}
