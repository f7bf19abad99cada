package dev.promptcanary.devstack;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.promptcanary.api.ProcessRole;
import dev.promptcanary.api.PromptCanaryConfiguration;
import dev.promptcanary.api.auth.Role;
import dev.promptcanary.devstack.demo.DemoStory;
import dev.promptcanary.testkit.ModelSimulator;
import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.ServerLifecycleListener;
import io.dropwizard.logging.common.AppenderFactory;
import io.dropwizard.logging.common.ConsoleAppenderFactory;
import io.dropwizard.logging.common.DefaultLoggingFactory;
import io.dropwizard.logging.common.FileAppenderFactory;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.sourceforge.argparse4j.impl.Arguments;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;
import org.eclipse.jetty.server.Server;

/**
 * The guided "main job" on the embedded defaults: starts the same stack as {@code dev} (PostgreSQL
 * in a fresh temporary directory unless {@code --data-dir} is given, Temporal's test server, the
 * worker, the API, the model SIMULATOR), then plays {@link DemoStory} against the API over HTTP and
 * prints what happens. Exits 0 when the better candidate was promoted and the regressed one rolled
 * back, 1 otherwise; {@code --keep-running} leaves the stack up. The console shows the story and
 * warnings only; the full log goes to a file named at the start.
 */
public class DemoCommand extends EmbeddedServerCommand {
  private volatile int apiPort;
  private volatile Server jetty;

  public DemoCommand(Application<PromptCanaryConfiguration> application) {
    super(
        application,
        "demo",
        "Starts the embedded stack and plays a guided rollout story against it (promote, then"
            + " roll back)");
  }

  @Override
  public void configure(Subparser subparser) {
    super.configure(subparser);
    EmbeddedStack.addPortArguments(subparser);
    EmbeddedStack.addTemporalArguments(subparser);
    subparser
        .addArgument("--data-dir")
        .help(
            "embedded PostgreSQL data directory, kept (default: a fresh temporary one, deleted at exit)");
    subparser
        .addArgument("--keep-running")
        .action(Arguments.storeTrue())
        .help("leave the stack up after the story (stop it with Ctrl-C)");
    subparser
        .addArgument("--seed")
        .type(Long.class)
        .setDefault(1L)
        .help("seed of the simulated traffic: session ids, questions, arrival times (default 1)");
    subparser
        .addArgument("--timeout")
        .type(Integer.class)
        .setDefault(240)
        .help("seconds each rollout may take before the demo gives up and exits 1 (default 240)");
    subparser
        .addArgument("--sessions-per-second")
        .type(Double.class)
        .setDefault(50.0)
        .help("simulated user sessions per second (default 50)");
    subparser
        .addArgument("--threads")
        .type(Integer.class)
        .setDefault(4)
        .help("threads of simulated users (default 4)");
  }

  @Override
  protected void runEmbedded(
      Bootstrap<PromptCanaryConfiguration> boot, Namespace namespace, DevStackConfiguration config)
      throws Exception {
    long startedAt = System.nanoTime();
    PrintStream out = System.out;
    Path log = quietConsole(boot, config);
    out.println(
        "promptcanary demo: starting the embedded stack (PostgreSQL, Temporal, worker, API, model SIMULATOR);"
            + " full log in "
            + log);
    config.setRole(ProcessRole.ALL);
    EmbeddedStack.applyPorts(namespace, config);
    if (namespace.getString("data_dir") != null) {
      config.getEmbedded().setDataDirectory(namespace.getString("data_dir"));
      EmbeddedStack.startPersistentDatabase("demo", config);
    } else {
      out.println(EmbeddedStack.startTemporaryDatabase("demo", config));
    }
    out.println(
        EmbeddedStack.startTemporal("demo", config, namespace.getString("data_dir") != null));
    ModelSimulator simulator =
        EmbeddedStack.startSimulator("demo", config, namespace.getInt("simulator_port"));
    Path keysFile =
        namespace.getString("data_dir") == null
            ? null
            : Path.of(config.getEmbedded().getDataDirectory()).resolve(DevKeys.FILE_NAME);
    Map<Role, String> keys = DevKeys.ensure(config, keysFile);
    startServer(boot, namespace, config);
    DevKeys.print("promptcanary demo", keys, keysFile, out);
    out.printf(
        "promptcanary demo: stack up in %.0f s: API http://127.0.0.1:%d, Temporal localhost:%d%s%n",
        (System.nanoTime() - startedAt) / 1e9,
        apiPort,
        config.getEmbedded().getTemporalPort(),
        config.getTemporal().getUiUrl().isEmpty()
            ? ""
            : ", Temporal UI " + config.getTemporal().getUiUrl());
    out.printf(
        "promptcanary demo: dashboard http://127.0.0.1:%d/ui/rollouts (key: %s, the reader's; paste"
            + " the deployer's above to see the controls)%n",
        apiPort, keys.get(Role.READER));
    out.flush();

    boolean ok;
    try {
      List<DemoStory.Ending> endings =
          new DemoStory(
                  new DemoStory.Settings(
                      URI.create("http://127.0.0.1:" + apiPort),
                      simulator.baseUrl(),
                      "localhost:" + config.getEmbedded().getTemporalPort(),
                      config.getTemporal().getUiUrl(),
                      namespace.getLong("seed"),
                      Duration.ofSeconds(namespace.getInt("timeout")),
                      namespace.getInt("threads"),
                      namespace.getDouble("sessions_per_second"),
                      keys.get(Role.DEPLOYER),
                      keys.get(Role.CLIENT)),
                  out)
              .play();
      ok = endings.stream().allMatch(DemoStory.Ending::asExpected);
      for (DemoStory.Ending e : endings) {
        if (!e.asExpected()) {
          out.println(
              "demo FAILED: the rollout of v"
                  + e.version()
                  + (e.state() == null ? " did not end" : " ended " + e.state())
                  + ", expected "
                  + e.expected()
                  + ": "
                  + e.reason());
        }
      }
    } catch (Exception e) {
      ok = false;
      out.println("demo FAILED: " + e);
    }
    if (!ok) {
      List<String> problems = problems(log, 20);
      out.println(
          problems.isEmpty()
              ? "no warnings or errors in the log (" + log + ")"
              : "the last warnings and errors of the log (" + log + "):");
      problems.forEach(line -> out.println("  | " + line));
    }
    // How the story ended comes first in both cases: a user who keeps the stack running (and a test
    // looking at Temporal UI meanwhile) still needs the verdict.
    out.println(ok ? "demo OK" : "demo FAILED (exit 1)");
    if (Boolean.TRUE.equals(namespace.getBoolean("keep_running"))) {
      out.println(
          "promptcanary demo: the stack keeps running (--keep-running): API http://127.0.0.1:"
              + apiPort
              + " (pages: http://127.0.0.1:"
              + apiPort
              + "/ui/rollouts), Temporal localhost:"
              + config.getEmbedded().getTemporalPort()
              + (config.getTemporal().getUiUrl().isEmpty()
                  ? ""
                  : ", Temporal UI " + config.getTemporal().getUiUrl())
              + "; stop it with Ctrl-C");
      out.flush();
      return;
    }
    out.flush();
    stopServer();
    System.exit(ok ? 0 : 1);
  }

  /**
   * Stops the API and the worker first (they still need PostgreSQL and Temporal to shut down
   * cleanly); the shutdown hooks then stop Temporal, PostgreSQL and the simulator as the JVM exits.
   */
  private void stopServer() {
    try {
      if (jetty != null) {
        jetty.stop();
      }
    } catch (Exception e) {
      System.out.println("promptcanary demo: stopping the server failed: " + e.getMessage());
    }
  }

  @Override
  protected void run(Environment environment, Namespace namespace, PromptCanaryConfiguration config)
      throws Exception {
    environment
        .lifecycle()
        .addServerLifecycleListener(
            new ServerLifecycleListener() {
              @Override
              public void serverStarted(Server server) {
                apiPort = getLocalPort(server);
                jetty = server;
              }
            });
    super.run(environment, namespace, config);
  }

  /**
   * The console keeps warnings and errors only, so the story stays readable; everything goes to a
   * log file. No request log (the simulated users make thousands of requests).
   */
  private static Path quietConsole(
      Bootstrap<PromptCanaryConfiguration> bootstrap, PromptCanaryConfiguration config)
      throws IOException {
    Path log = Files.createTempFile("promptcanary-demo-", ".log");
    if (config.getLoggingFactory() instanceof DefaultLoggingFactory logging) {
      List<AppenderFactory<ILoggingEvent>> appenders = new ArrayList<>();
      for (AppenderFactory<ILoggingEvent> appender : logging.getAppenders()) {
        if (appender instanceof ConsoleAppenderFactory<ILoggingEvent> console) {
          console.setThreshold("WARN");
        }
        appenders.add(appender);
      }
      FileAppenderFactory<ILoggingEvent> file = new FileAppenderFactory<>();
      file.setCurrentLogFilename(log.toString());
      file.setArchive(false);
      appenders.add(file);
      logging.setAppenders(appenders);
      // Expected here, and nothing a demo user can act on: the embedded test server has no worker
      // heartbeats, and
      // outcomes reported in the second after a rollout ended nudge the finished workflow
      // (NOT_FOUND), which the
      // demo, starting its next rollout at once, always meets.
      Map<String, JsonNode> loggers = new HashMap<>(logging.getLoggers());
      loggers.put("io.temporal.internal.worker.HeartbeatManager", TextNode.valueOf("ERROR"));
      loggers.put("dev.promptcanary.api.rollouts.RolloutNotifier", TextNode.valueOf("ERROR"));
      logging.setLoggers(loggers);
      logging.configure(bootstrap.getMetricRegistry(), bootstrap.getApplication().getName());
    }
    EmbeddedStack.turnOffRequestLog(config);
    return log;
  }

  /**
   * The last {@code lines} WARN and ERROR lines of the log (their first lines, without stack
   * traces).
   */
  private static List<String> problems(Path file, int lines) {
    try {
      List<String> all =
          Files.readAllLines(file).stream()
              .filter(line -> line.startsWith("WARN") || line.startsWith("ERROR"))
              .toList();
      return all.subList(Math.max(0, all.size() - lines), all.size());
    } catch (IOException e) {
      return List.of("(log unreadable: " + e.getMessage() + ")");
    }
  }
}
