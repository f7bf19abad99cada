package dev.promptcanary.api.commands;

import io.dropwizard.core.Application;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import java.io.PrintWriter;
import net.sourceforge.argparse4j.inf.Namespace;

/**
 * {@code check CONFIG}: parses the file, substitutes the environment and validates it, connecting
 * to nothing, and prints the verdict straight to stdout (stderr for a refusal, naming the field).
 *
 * <p>It replaces Dropwizard's own {@code check}, which logs its "Configuration is OK" through the
 * configured console appender: that appender is asynchronous, and under load its queue was not
 * drained within the 1 s the logging shutdown allows, so the one line a deployment script (and
 * {@code DeploymentCheckTest}) reads was lost while the exit status still said 0.
 */
public class ConfigCheckCommand<T extends Configuration> extends ConfiguredCommand<T> {
  /** What a valid file prints, the line Dropwizard's own check logged. */
  public static final String OK = "Configuration is OK";

  /** What a refused file's message starts with; the reason (field and constraint) follows. */
  public static final String REFUSED = "Configuration is NOT OK: ";

  private final Class<T> configurationClass;

  public ConfigCheckCommand(Application<T> application) {
    super("check", "Parses and validates the configuration file");
    // The application's class, not this command's type parameter: the dev jar reads every file as
    // its own subclass of the configuration.
    this.configurationClass = application.getConfigurationClass();
  }

  @Override
  protected Class<T> getConfigurationClass() {
    return configurationClass;
  }

  @Override
  protected void run(Bootstrap<T> bootstrap, Namespace namespace, T configuration) {
    System.out.println(OK);
    System.out.flush();
  }

  /**
   * A file that does not parse or validate: its reason, without a stack trace; Dropwizard then
   * exits with status 1.
   */
  @Override
  public void onError(Cli cli, Namespace namespace, Throwable e) {
    PrintWriter err = cli.getStdErr();
    err.println(REFUSED + e.getMessage());
    err.flush();
  }
}
