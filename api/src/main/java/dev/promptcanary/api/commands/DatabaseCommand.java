package dev.promptcanary.api.commands;

import com.codahale.metrics.MetricRegistry;
import dev.promptcanary.activities.store.Migrations;
import dev.promptcanary.activities.store.Store;
import dev.promptcanary.api.PromptCanaryConfiguration;
import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.db.ManagedDataSource;
import net.sourceforge.argparse4j.inf.Namespace;
import org.jdbi.v3.core.Jdbi;

/**
 * A command that works on the configured database and exits: it opens a pool of its own, migrates
 * first when the configuration says {@code migrateOnStart} (unless {@link #migratesItself}), and
 * closes the pool however the work ends.
 */
abstract class DatabaseCommand extends ConfiguredCommand<PromptCanaryConfiguration> {

  DatabaseCommand(String name, String description) {
    super(name, description);
  }

  /** The command's work on the migrated database. */
  abstract void run(Namespace namespace, ManagedDataSource dataSource, Jdbi jdbi) throws Exception;

  /** True for a command whose work is the migration itself. */
  boolean migratesItself() {
    return false;
  }

  @Override
  protected final void run(
      Bootstrap<PromptCanaryConfiguration> bootstrap,
      Namespace namespace,
      PromptCanaryConfiguration config)
      throws Exception {
    ManagedDataSource dataSource = config.getDatabase().build(new MetricRegistry(), getName());
    try {
      if (config.isMigrateOnStart() && !migratesItself()) {
        Migrations.migrate(dataSource);
      }
      run(namespace, dataSource, Store.configure(Jdbi.create(dataSource)));
    } finally {
      dataSource.stop();
    }
  }
}
