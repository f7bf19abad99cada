package dev.promptcanary.devstack;

import dev.promptcanary.api.PromptCanaryApplication;
import dev.promptcanary.api.PromptCanaryConfiguration;
import dev.promptcanary.cli.PromptCanaryCli;
import io.dropwizard.core.setup.Bootstrap;

/**
 * The one executable jar: the production application ({@code server}, {@code worker}, {@code
 * migrate}, {@code eval-suite}, {@code check}) plus the commands that bring their own stack, {@code
 * dev} and {@code demo}. Their embedded PostgreSQL, Temporal test server and model simulator live
 * in this module, so the production modules depend on none of them.
 *
 * <p>The operator's CLI ({@code prompt}, {@code suite}, {@code rollout}) runs from the same jar:
 * its subcommands go to picocli before Dropwizard starts (no logging set-up, no config file), every
 * other command to Dropwizard.
 */
public class DevStackApplication extends PromptCanaryApplication {

  public static void main(String[] args) throws Exception {
    if (PromptCanaryCli.handles(args)) {
      System.exit(PromptCanaryCli.run(args, System.out, System.err, System.getenv()));
    }
    new DevStackApplication().run(args);
  }

  /** Every config file is read as the production configuration plus the {@code embedded} block. */
  @Override
  @SuppressWarnings("unchecked")
  public Class<PromptCanaryConfiguration> getConfigurationClass() {
    return (Class<PromptCanaryConfiguration>) (Class<?>) DevStackConfiguration.class;
  }

  @Override
  public void initialize(Bootstrap<PromptCanaryConfiguration> bootstrap) {
    super.initialize(bootstrap);
    bootstrap.addCommand(new DevCommand(this));
    bootstrap.addCommand(new DemoCommand(this));
  }
}
