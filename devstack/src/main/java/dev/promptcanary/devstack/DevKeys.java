package dev.promptcanary.devstack;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.promptcanary.activities.store.Actor;
import dev.promptcanary.activities.store.ApiKeyDao;
import dev.promptcanary.activities.store.ApiKeyDao.StoredKey;
import dev.promptcanary.activities.store.Migrations;
import dev.promptcanary.activities.store.Store;
import dev.promptcanary.api.PromptCanaryConfiguration;
import dev.promptcanary.api.auth.ApiKeys;
import dev.promptcanary.api.auth.Role;
import io.dropwizard.db.ManagedDataSource;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * One API key per role for {@code dev} and {@code demo}, named {@code dev-client}, {@code
 * dev-reader}, {@code dev-deployer} and {@code dev-admin}, printed at start and written to {@value
 * #FILE_NAME} in the data directory (JSON, role to secret) so scripts and benchmarks can read them.
 * A restart over the same data keeps the keys in the file while they are live; any other is
 * rotated, since a stored hash cannot be shown again.
 */
public final class DevKeys {
  public static final String FILE_NAME = "promptcanary-api-keys.json";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final Actor BY = new Actor("dev", "cli");

  private DevKeys() {}

  /** The keys written by {@code dev} or {@code demo} into {@code dataDirectory}. */
  public static Map<Role, String> read(Path dataDirectory) throws IOException {
    Map<String, String> raw =
        JSON.readValue(
            dataDirectory.resolve(FILE_NAME).toFile(), new TypeReference<Map<String, String>>() {});
    Map<Role, String> keys = new EnumMap<>(Role.class);
    raw.forEach((role, secret) -> keys.put(Role.parse(role), secret));
    return keys;
  }

  /**
   * Makes sure the database has a live key per role and returns them; {@code file} (may be null) is
   * read for keys to keep and written with the result.
   */
  static Map<Role, String> ensure(PromptCanaryConfiguration config, Path file) throws IOException {
    Map<Role, String> previous = new EnumMap<>(Role.class);
    if (file != null && Files.isRegularFile(file)) {
      try {
        previous.putAll(read(file.getParent()));
      } catch (IOException | RuntimeException unreadable) {
        // a broken file only means new keys
      }
    }
    ManagedDataSource dataSource = config.getDatabase().build(new MetricRegistry(), "dev-keys");
    Map<Role, String> keys = new EnumMap<>(Role.class);
    try {
      Migrations.migrate(dataSource);
      ApiKeyDao dao = Store.configure(Jdbi.create(dataSource)).onDemand(ApiKeyDao.class);
      List<StoredKey> live = dao.live();
      for (Role role : Role.values()) {
        String name = "dev-" + role.wireName();
        String kept = previous.get(role);
        Optional<StoredKey> current =
            live.stream().filter(k -> k.key().name().equals(name)).findFirst();
        if (kept != null
            && current.isPresent()
            && current.get().secretHash().equals(ApiKeys.hash(kept))) {
          keys.put(role, kept);
          continue;
        }
        String secret = ApiKeys.newSecret();
        if (current.isPresent()) {
          dao.rotate(
              current.get().key().id(),
              ApiKeys.hash(secret),
              ApiKeys.shown(secret),
              BY,
              "dev start: the secret was not in " + FILE_NAME);
        } else {
          dao.create(name, role.wireName(), ApiKeys.hash(secret), ApiKeys.shown(secret), BY)
              .orElseThrow();
        }
        keys.put(role, secret);
      }
    } finally {
      try {
        dataSource.stop();
      } catch (Exception ignored) {
        // a pool used for a moment; nothing to lose
      }
    }
    if (file != null) {
      write(file, keys);
    }
    return keys;
  }

  private static void write(Path file, Map<Role, String> keys) throws IOException {
    Files.createDirectories(file.getParent());
    Map<String, String> raw = new LinkedHashMap<>();
    keys.forEach((role, secret) -> raw.put(role.wireName(), secret));
    Path temporary = file.resolveSibling(FILE_NAME + ".tmp");
    Files.writeString(temporary, JSON.writeValueAsString(raw));
    try {
      Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException notPosix) {
      // best effort on other file systems
    }
    Files.move(
        temporary,
        file,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** Prints the keys, one role a line. */
  static void print(String command, Map<Role, String> keys, Path file, PrintStream out) {
    out.println(
        command
            + ": API keys, one per role (send as 'Authorization: Bearer <key>')"
            + (file == null ? "" : "; also in " + file)
            + ":");
    keys.forEach((role, secret) -> out.printf("  %-8s %s%n", role.wireName(), secret));
    out.flush();
  }
}
