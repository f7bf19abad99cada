package dev.promptcanary.api.commands;

import dev.promptcanary.activities.store.Migrations;
import io.dropwizard.db.ManagedDataSource;
import net.sourceforge.argparse4j.inf.Namespace;
import org.flywaydb.core.api.output.MigrateResult;
import org.jdbi.v3.core.Jdbi;

/**
 * Brings the configured database to the current schema and exits (for deployments with
 * migrateOnStart off).
 */
public class MigrateCommand extends DatabaseCommand {

  public MigrateCommand() {
    super("migrate", "Applies pending database migrations and exits");
  }

  @Override
  boolean migratesItself() {
    return true;
  }

  @Override
  void run(Namespace namespace, ManagedDataSource dataSource, Jdbi jdbi) {
    MigrateResult result = Migrations.migrate(dataSource);
    System.out.printf(
        "schema at version %s (%d migrations applied)%n",
        result.targetSchemaVersion, result.migrationsExecuted);
  }
}
