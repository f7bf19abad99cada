package dev.promptcanary.api;

import dev.promptcanary.activities.store.Actor;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import dev.promptcanary.api.auth.Role;
import dev.promptcanary.api.commands.KeyCommand;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Jdbi;

/**
 * The one place tests get API keys: a key per role for each test database, created once, before the
 * app over that database starts (so every node has them from its first request), and named {@code
 * test-client}, {@code test-reader}, {@code test-deployer}, {@code test-admin}.
 */
public final class TestKeys {
  private static final Map<String, Map<Role, String>> BY_DATABASE = new ConcurrentHashMap<>();

  private TestKeys() {}

  /** The keys of {@code db}, creating them on first use. */
  public static Map<Role, String> of(TestDatabase db) {
    return BY_DATABASE.computeIfAbsent(db.jdbcUrl(), url -> create(db.jdbi()));
  }

  public static String key(TestDatabase db, Role role) {
    return of(db).get(role);
  }

  /** The name the audit log records for the test key of {@code role}. */
  public static String name(Role role) {
    return "test-" + role.wireName();
  }

  /** The keys made for the database at {@code jdbcUrl}, if any. */
  static Map<Role, String> forUrl(String jdbcUrl) {
    Map<Role, String> keys = BY_DATABASE.get(jdbcUrl);
    if (keys == null) {
      throw new IllegalStateException(
          "no test keys for " + jdbcUrl + ": build the app with TestApps, which creates them");
    }
    return keys;
  }

  private static Map<Role, String> create(Jdbi jdbi) {
    Map<Role, String> keys = new EnumMap<>(Role.class);
    for (Role role : Role.values()) {
      keys.put(role, KeyCommand.create(jdbi, name(role), role, new Actor("tests", "cli")).secret());
    }
    return Map.copyOf(keys);
  }
}
