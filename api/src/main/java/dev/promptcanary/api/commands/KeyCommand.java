package dev.promptcanary.api.commands;

import dev.promptcanary.activities.store.Actor;
import dev.promptcanary.activities.store.ApiKeyDao;
import dev.promptcanary.api.auth.ApiKeys;
import dev.promptcanary.api.auth.Role;
import io.dropwizard.db.ManagedDataSource;
import java.util.Arrays;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code key create --role ROLE --name NAME [CONFIG]}: creates an API key directly in the database
 * (how the first admin key is made, or a lost one replaced) and prints its secret as the last line
 * of standard output, once. The audit log records it as made from the command line.
 */
public class KeyCommand extends DatabaseCommand {
  /** A key just made: its id and its secret (shown once). */
  public record NewKey(long id, String name, Role role, String secret) {}

  public KeyCommand() {
    super("key", "API keys: 'create --role ROLE --name NAME' prints a new key's secret once");
  }

  @Override
  public void configure(Subparser subparser) {
    subparser.addArgument("action").choices("create").help("what to do: create");
    subparser
        .addArgument("--role")
        .required(true)
        .choices(Arrays.stream(Role.values()).map(Role::wireName).toList())
        .help("the key's role");
    subparser
        .addArgument("--name")
        .required(true)
        .help("who holds the key: the actor the audit log records for its changes");
    super.configure(subparser);
  }

  @Override
  void run(Namespace namespace, ManagedDataSource dataSource, Jdbi jdbi) {
    NewKey key =
        create(
            jdbi,
            namespace.getString("name"),
            Role.parse(namespace.getString("role")),
            new Actor(System.getProperty("user.name", "cli"), "cli"));
    System.out.printf(
        "created %s key '%s' (id %d); its secret, shown only now:%n%s%n",
        key.role().wireName(), key.name(), key.id(), key.secret());
  }

  /** Stores a new key; IllegalArgumentException when a live key already has the name. */
  public static NewKey create(Jdbi jdbi, String name, Role role, Actor by) {
    if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._@-]{0,99}")) {
      throw new IllegalArgumentException(
          "--name must be 1-100 characters of letters, digits, '.', '_', '@' or '-'");
    }
    String secret = ApiKeys.newSecret();
    ApiKeyDao.StoredKey stored =
        jdbi.onDemand(ApiKeyDao.class)
            .create(name, role.wireName(), ApiKeys.hash(secret), ApiKeys.shown(secret), by)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "a live key is already named '" + name + "'; choose another name"));
    return new NewKey(stored.id(), name, role, secret);
  }
}
