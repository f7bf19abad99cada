package dev.promptcanary.api.commands;

import dev.promptcanary.api.ProcessRole;
import dev.promptcanary.api.PromptCanaryConfiguration;
import io.dropwizard.core.Application;
import io.dropwizard.core.cli.ServerCommand;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.setup.Bootstrap;
import java.util.List;
import net.sourceforge.argparse4j.inf.Namespace;

/**
 * The Temporal worker alone. It serves no API; its admin port still answers health checks and
 * metrics, so it runs behind the same probes as the API.
 */
public class WorkerCommand extends ServerCommand<PromptCanaryConfiguration> {

  public WorkerCommand(Application<PromptCanaryConfiguration> application) {
    super(application, "worker", "Runs the Temporal worker (rollout workflows and activities)");
  }

  @Override
  protected void run(
      Bootstrap<PromptCanaryConfiguration> bootstrap,
      Namespace namespace,
      PromptCanaryConfiguration config)
      throws Exception {
    config.setRole(ProcessRole.WORKER);
    if (config.getServerFactory() instanceof DefaultServerFactory server) {
      server.setApplicationConnectors(List.of());
    }
    super.run(bootstrap, namespace, config);
  }
}
