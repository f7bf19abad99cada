package dev.promptcanary.devstack;

import dev.promptcanary.api.PromptCanaryConfiguration;
import io.dropwizard.core.Application;
import io.dropwizard.core.cli.ServerCommand;
import io.dropwizard.core.setup.Bootstrap;
import net.sourceforge.argparse4j.inf.Namespace;

/**
 * A server command on {@link DevStackApplication}'s configuration ({@code dev}, {@code demo}): it
 * starts the embedded parts, then the server with {@link #startServer}.
 */
abstract class EmbeddedServerCommand extends ServerCommand<PromptCanaryConfiguration> {
  EmbeddedServerCommand(
      Application<PromptCanaryConfiguration> application, String name, String description) {
    super(application, name, description);
  }

  @Override
  protected final void run(
      Bootstrap<PromptCanaryConfiguration> boot, Namespace namespace, PromptCanaryConfiguration c)
      throws Exception {
    runEmbedded(boot, namespace, DevStackConfiguration.of(c));
  }

  /** The command: sets up the embedded stack in {@code config} and calls {@link #startServer}. */
  protected abstract void runEmbedded(
      Bootstrap<PromptCanaryConfiguration> boot, Namespace namespace, DevStackConfiguration config)
      throws Exception;

  /** The API and worker, as {@code server} starts them (returns once Jetty is up). */
  protected final void startServer(
      Bootstrap<PromptCanaryConfiguration> boot, Namespace namespace, DevStackConfiguration config)
      throws Exception {
    super.run(boot, namespace, config);
  }
}
