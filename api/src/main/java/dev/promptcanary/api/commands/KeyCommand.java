package dev.promptcanary.api.commands;

import dev.promptcanary.activities.store.Actor;
import dev.promptcanary.activities.store.ApiKeyDao;
import dev.promptcanary.api.auth.ApiKeys;
import dev.promptcanary.api.auth.Role;
import io.dropwizard.db.ManagedDataSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code key create --role ROLE --name NAME [CONFIG]}: creates an API key directly in the database
 * (how the first admin key is made, or a lost one replaced) and prints its secret as the last line
 * of standard output, once. {@code key revoke (--id N ... | --all) --reason TEXT [CONFIG]}: revokes
 * keys directly in the database, the last admin key included; it is how a restore from a backup
 * that predates some revocations is repaired before the API serves again (docs/operations.md,
 * section 8). The audit log records both as done from the command line.
 */
public class KeyCommand extends DatabaseCommand {
  /** A key just made: its id and its secret (shown once). */
  public record NewKey(long id, String name, Role role, String secret) {}

  public KeyCommand() {
    super(
        "key",
        "API keys: 'create --role ROLE --name NAME' prints a new key's secret once;"
            + " 'revoke (--id N ... | --all) --reason TEXT' revokes keys");
  }

  @Override
  public void configure(Subparser subparser) {
    subparser.addArgument("action").choices("create", "revoke").help("what to do");
    subparser
        .addArgument("--role")
        .choices(Arrays.stream(Role.values()).map(Role::wireName).toList())
        .help("create: the key's role");
    subparser
        .addArgument("--name")
        .help("create: who holds the key, the actor the audit log records for its changes");
    subparser
        .addArgument("--id")
        .type(Long.class)
        .nargs("+")
        .help("revoke: the ids of the keys to revoke");
    subparser
        .addArgument("--all")
        .action(net.sourceforge.argparse4j.impl.Arguments.storeTrue())
        .help("revoke: every live key, the last admin key included");
    subparser.addArgument("--reason").help("revoke: why, for the audit log");
    super.configure(subparser);
  }

  @Override
  void run(Namespace namespace, ManagedDataSource dataSource, Jdbi jdbi) {
    Actor by = new Actor(System.getProperty("user.name", "cli"), "cli");
    if ("revoke".equals(namespace.getString("action"))) {
      List<Long> ids = namespace.getList("id");
      List<ApiKeyDao.ApiKey> revoked =
          revoke(jdbi, namespace.getBoolean("all"), ids, namespace.getString("reason"), by);
      for (ApiKeyDao.ApiKey key : revoked) {
        System.out.printf(
            "revoked %s key '%s' (id %d, prefix %s)%n",
            key.role(), key.name(), key.id(), key.prefix());
      }
      System.out.printf(
          "%d key(s) revoked; every node refuses them within auth.reloadInterval%n",
          revoked.size());
      return;
    }
    if (namespace.getString("role") == null || namespace.getString("name") == null) {
      throw new IllegalArgumentException("key create needs --role and --name");
    }
    NewKey key =
        create(jdbi, namespace.getString("name"), Role.parse(namespace.getString("role")), by);
    System.out.printf(
        "created %s key '%s' (id %d); its secret, shown only now:%n%s%n",
        key.role().wireName(), key.name(), key.id(), key.secret());
  }

  /**
   * Revokes the keys {@code ids}, or every live key when {@code all}; the keys this revoked (one
   * already revoked is left as it is). IllegalArgumentException when the arguments do not say which
   * keys, or why, or name a key that does not exist.
   */
  public static List<ApiKeyDao.ApiKey> revoke(
      Jdbi jdbi, boolean all, List<Long> ids, String reason, Actor by) {
    if (all == (ids != null && !ids.isEmpty())) {
      throw new IllegalArgumentException("key revoke needs either --id N ... or --all");
    }
    if (reason == null || reason.isBlank() || reason.length() > 1000 || reason.indexOf(0) >= 0) {
      throw new IllegalArgumentException("key revoke needs --reason (1-1000 characters, no NUL)");
    }
    ApiKeyDao keys = jdbi.onDemand(ApiKeyDao.class);
    List<Long> targets = all ? keys.live().stream().map(k -> k.key().id()).toList() : ids;
    for (long id : targets) {
      if (keys.find(id).isEmpty()) {
        throw new IllegalArgumentException("no key with id " + id);
      }
    }
    List<ApiKeyDao.ApiKey> revoked = new ArrayList<>();
    for (long id : targets) {
      boolean wasLive = keys.find(id).map(ApiKeyDao.ApiKey::live).orElse(false);
      ApiKeyDao.ApiKey after = keys.revoke(id, by, reason).orElseThrow();
      if (wasLive) {
        revoked.add(after);
      }
    }
    return revoked;
  }

  /** Stores a new key; IllegalArgumentException when a live key already has the name. */
  public static NewKey create(Jdbi jdbi, String name, Role role, Actor by) {
    if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._@-]{0,99}")) {
      throw new IllegalArgumentException(
          "--name must be 1-100 characters of letters, digits, '.', '_', '@' or '-'");
    }
    String secret = ApiKeys.newSecret();
    ApiKeyDao.ApiKey stored =
        jdbi.onDemand(ApiKeyDao.class)
            .create(name, role.wireName(), ApiKeys.hash(secret), ApiKeys.shown(secret), by)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "a live key is already named '" + name + "'; choose another name"));
    return new NewKey(stored.id(), name, role, secret);
  }
}
