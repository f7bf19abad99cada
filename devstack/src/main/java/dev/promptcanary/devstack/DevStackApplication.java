package dev.promptcanary.devstack;

import dev.promptcanary.api.PromptCanaryApplication;
import dev.promptcanary.api.PromptCanaryConfiguration;
import io.dropwizard.core.setup.Bootstrap;

/**
 * The one executable jar: the production application ({@code server}, {@code worker}, {@code
 * migrate}, {@code eval-suite}, {@code check}) plus the commands that bring their own stack, {@code
 * dev} and {@code demo}. Their embedded PostgreSQL, Temporal test server and model simulator live
 * in this module, so the production modules depend on none of them.
 */
public class DevStackApplication extends PromptCanaryApplication {

  public static void main(String[] args) throws Exception {
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
