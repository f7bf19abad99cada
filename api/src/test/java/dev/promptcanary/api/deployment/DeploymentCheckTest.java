package dev.promptcanary.api.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptcanary.api.PromptCanaryApplication;
import dev.promptcanary.api.deployment.DeploymentFiles.Process;
import dev.promptcanary.api.deployment.DeploymentFiles.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every shipped config file goes through the application's own {@code check} command (Dropwizard's:
 * parse, substitute the environment, validate; it connects to nothing), in a process of its own
 * whose environment is exactly what each deployment gives it: none, each compose service's, and,
 * when helm is installed, each rendered Deployment's (default values and every example).
 */
class DeploymentCheckTest {

  /** One run of {@code check}: which deployment, which file, with what environment. */
  private record Case(String origin, Path file, Map<String, String> env) {}

  @Test
  void everyShippedConfigPassesCheckWithEachDeploymentsEnvironment() throws Exception {
    List<Case> cases = new ArrayList<>();
    try (Stream<Path> files = Files.list(DeploymentFiles.CONFIGS)) {
      files
          .filter(f -> f.toString().endsWith(".yml"))
          .sorted()
          .forEach(f -> cases.add(new Case("no environment", f, Map.of())));
    }
    List<Process> processes = new ArrayList<>(DeploymentFiles.composeProcesses());
    DeploymentFiles.helm()
        .ifPresent(
            helm -> {
              processes.addAll(
                  DeploymentFiles.chartProcesses("chart defaults", DeploymentFiles.render(helm)));
              for (Path example : DeploymentFiles.chartExamples()) {
                processes.addAll(
                    DeploymentFiles.chartProcesses(
                        "chart " + example.getFileName(),
                        DeploymentFiles.render(helm, "-f", example.toString())));
              }
            });
    for (Process process : processes) {
      cases.add(new Case(process.origin(), process.configFile(), process.env()));
    }
    // Every shipped file is checked with some deployment's environment, not only with none.
    assertThat(processes)
        .extracting(p -> p.configFile().getFileName().toString())
        .contains("server.yml", "worker.yml");

    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<Run>> runs = new ArrayList<>();
      for (Case c : cases) {
        runs.add(pool.submit(() -> check(c.file(), c.env())));
      }
      for (int i = 0; i < cases.size(); i++) {
        Run run = runs.get(i).get();
        assertThat(run.exitCode())
            .as("%s: check %s%n%s", cases.get(i).origin(), cases.get(i).file(), run.output())
            .isZero();
        assertThat(run.output()).contains("Configuration is OK");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** The check really validates: an inconsistent environment fails it, naming what is wrong. */
  @Test
  void checkRefusesATemporalApiKeyInClearTextAndAHalfClientCertificate() throws IOException {
    Path server = DeploymentFiles.CONFIGS.resolve("server.yml");

    Run keyInClear = check(server, Map.of("PROMPTCANARY_TEMPORAL_API_KEY", "cloud-key-123"));
    assertThat(keyInClear.exitCode()).isNotZero();
    assertThat(keyInClear.output())
        .contains("temporal.apiKeySentOverTls", "apiKey needs tls.enabled");
    assertThat(keyInClear.output()).doesNotContain("cloud-key-123");

    Run halfCertificate =
        check(
            server,
            Map.of(
                "PROMPTCANARY_TEMPORAL_TLS",
                "true",
                "PROMPTCANARY_TEMPORAL_TLS_CERT",
                "/x/client.pem"));
    assertThat(halfCertificate.exitCode()).isNotZero();
    assertThat(halfCertificate.output())
        .contains("certChainFile and privateKeyFile must be given together");
  }

  /** {@code java ... PromptCanaryApplication check FILE} with exactly {@code env}. */
  private static Run check(Path file, Map<String, String> env) throws IOException {
    Map<String, String> environment = new LinkedHashMap<>(env);
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xshare:auto",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            System.getProperty("java.class.path"),
            PromptCanaryApplication.class.getName(),
            "check",
            file.toString());
    return DeploymentFiles.run(command, environment, 180);
  }
}
