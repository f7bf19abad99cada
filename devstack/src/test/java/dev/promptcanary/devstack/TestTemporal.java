package dev.promptcanary.devstack;

import dev.promptcanary.api.TestApps;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * Which embedded Temporal the process-level tests run {@code dev} and {@code demo} on: {@code
 * -Dpromptcanary.temporal=cli} for the Temporal CLI's dev server (a real Temporal server), {@code
 * java} (the default) for Temporal's Java test server. CI runs them on both ({@code .ci/run}).
 * Unknown values fail, so a typo never quietly tests the other server.
 */
final class TestTemporal {
  static final String SERVER = System.getProperty("promptcanary.temporal", "java");

  /**
   * {@code -Dpromptcanary.temporal.cli=PATH}: the CLI, when it is not on the PATH or in ~/go/bin.
   */
  static final String CLI_PATH = System.getProperty("promptcanary.temporal.cli", "");

  static {
    if (!SERVER.equals("cli") && !SERVER.equals("java")) {
      throw new IllegalArgumentException("-Dpromptcanary.temporal must be cli or java: " + SERVER);
    }
  }

  private TestTemporal() {}

  /**
   * Service stubs to the embedded Temporal on loopback {@code port}; the caller shuts them down.
   */
  static WorkflowServiceStubs stubsAt(int port) {
    return WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:" + port).build());
  }

  static boolean cli() {
    return SERVER.equals("cli");
  }

  /**
   * The options that choose it; the dev server's UI on a free port, so tests can run side by side.
   */
  static List<String> args() {
    if (!cli()) {
      return List.of("--temporal-server", "java");
    }
    List<String> args =
        new ArrayList<>(
            List.of(
                "--temporal-server",
                "cli",
                "--temporal-ui-port",
                String.valueOf(TestApps.freePort())));
    if (!CLI_PATH.isEmpty()) {
      args.addAll(List.of("--temporal-cli", CLI_PATH));
    }
    return args;
  }
}
