package dev.promptcanary.api.commands;

import com.codahale.metrics.MetricRegistry;
import dev.promptcanary.activities.store.Migrations;
import dev.promptcanary.api.PromptCanaryConfiguration;
import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.db.ManagedDataSource;
import net.sourceforge.argparse4j.inf.Namespace;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Brings the configured database to the current schema and exits (for deployments with
 * migrateOnStart off).
 */
public class MigrateCommand extends ConfiguredCommand<PromptCanaryConfiguration> {

  public MigrateCommand() {
    super("migrate", "Applies pending database migrations and exits");
  }

  @Override
  protected void run(
      Bootstrap<PromptCanaryConfiguration> bootstrap,
      Namespace namespace,
      PromptCanaryConfiguration config)
      throws Exception {
    ManagedDataSource dataSource = config.getDatabase().build(new MetricRegistry(), "migrate");
    try {
      MigrateResult result = Migrations.migrate(dataSource);
      System.out.printf(
          "schema at version %s (%d migrations applied)%n",
          result.targetSchemaVersion, result.migrationsExecuted);
    } finally {
      dataSource.stop();
    }
  }
}
