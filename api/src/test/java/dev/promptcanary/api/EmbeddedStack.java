package dev.promptcanary.api;

import dev.promptcanary.activities.store.TestDatabases;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import dev.promptcanary.testkit.ModelSimulator;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testserver.TestServer;
import java.util.function.Consumer;

/**
 * The whole stack of an end-to-end test, as {@code dev} runs it: the Temporal test server on a free
 * port, a fresh migrated database, and the app (API and worker in one process) over both;
 * optionally the model and the judge on a {@link ModelSimulator}. Declared as the test class's
 * static app field (under {@code DropwizardExtensionsSupport}); the server is warmed up before the
 * app starts, and closed with the simulator once the app has stopped.
 */
final class EmbeddedStack extends TestApps.PatientApp {
  private final int temporalPort;
  private final TestServer.PortBoundTestServer temporal;
  private final TestDatabase db;
  private final ModelSimulator simulator;

  private EmbeddedStack(
      int temporalPort,
      TestServer.PortBoundTestServer temporal,
      TestDatabase db,
      ModelSimulator simulator,
      PromptCanaryConfiguration config) {
    super(config);
    this.temporalPort = temporalPort;
    this.temporal = temporal;
    this.db = db;
    this.simulator = simulator;
  }

  /** The stack with the model and judge disabled. */
  static EmbeddedStack embedded() {
    return embedded(config -> {});
  }

  /** As above, with the configuration adjusted by {@code adjust} before the app starts. */
  static EmbeddedStack embedded(Consumer<PromptCanaryConfiguration> adjust) {
    return start(null, adjust);
  }

  /** The stack with offline evals and the judge on a simulator of its own. */
  static EmbeddedStack withModels() {
    return withModels(config -> {});
  }

  /** As above, with the configuration adjusted by {@code adjust} before the app starts. */
  static EmbeddedStack withModels(Consumer<PromptCanaryConfiguration> adjust) {
    return start(ModelSimulator.start(0), adjust);
  }

  private static EmbeddedStack start(
      ModelSimulator simulator, Consumer<PromptCanaryConfiguration> adjust) {
    int port = TestApps.freePort();
    TestServer.PortBoundTestServer temporal = TestServer.createPortBoundServer(port, true);
    TestDatabase db = TestDatabases.fresh();
    PromptCanaryConfiguration config = TestApps.embeddedConfig(db, port);
    if (simulator != null) {
      String url = simulator.baseUrl().toString();
      config.getModel().setEnabled(true);
      config.getModel().setBaseUrl(url);
      config.getJudge().setEnabled(true);
      config.getJudge().setBaseUrl(url);
      config.getJudge().setModel("sim-judge");
    }
    adjust.accept(config);
    return new EmbeddedStack(port, temporal, db, simulator, config);
  }

  TestDatabase db() {
    return db;
  }

  int temporalPort() {
    return temporalPort;
  }

  /** The simulator the model and judge call; only for a stack made {@link #withModels}. */
  ModelSimulator simulator() {
    if (simulator == null) {
      throw new IllegalStateException("this stack has no model simulator");
    }
    return simulator;
  }

  @Override
  public void before() throws Exception {
    warmUpTemporal();
    super.before();
  }

  @Override
  public void after() {
    try {
      super.after();
    } finally {
      temporal.close();
      if (simulator != null) {
        simulator.close();
      }
    }
  }

  /**
   * Starts (and ends) a workflow nobody runs, so the test server's first start is not a rollout's:
   * on a loaded 2-core machine that cold first start has taken longer than the API's 2 s patience
   * with Temporal, and the API answered 503 for a start the server then made anyway (then 409 on a
   * retry).
   */
  private void warmUpTemporal() {
    WorkflowServiceStubs stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder()
                .setTarget("localhost:" + temporalPort)
                // the warm-up is the call that may be slow: it waits as long as a loaded machine
                // needs (the default gave up after 4 s)
                .setRpcTimeout(java.time.Duration.ofSeconds(60))
                // and so does the client's first call, GetSystemInfo, whose own deadline (a few
                // seconds) ran out with two test JVMs side by side under load 48
                .setSystemInfoTimeout(java.time.Duration.ofSeconds(60))
                .build());
    try {
      WorkflowStub warm =
          WorkflowClient.newInstance(stubs)
              .newUntypedWorkflowStub(
                  "WarmUp",
                  WorkflowOptions.newBuilder()
                      .setWorkflowId("warm-up")
                      .setTaskQueue("warm-up")
                      .build());
      warm.start();
      warm.terminate("warm-up only");
    } finally {
      stubs.shutdown();
    }
  }
}
