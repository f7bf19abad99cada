package dev.promptcanary.api.deployment;

import static dev.promptcanary.api.deployment.DeploymentFiles.CHART;
import static dev.promptcanary.api.deployment.DeploymentFiles.map;
import static dev.promptcanary.api.deployment.DeploymentFiles.ofKind;
import static org.assertj.core.api.Assertions.assertThat;

import dev.promptcanary.api.PromptCanaryConfiguration;
import dev.promptcanary.api.deployment.DeploymentFiles.PortKind;
import dev.promptcanary.api.deployment.DeploymentFiles.Process;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Helm chart rendered by {@code helm template} (with its default values, each example and the
 * ServiceMonitor on): every Deployment runs a real command on a shipped config file that loads with
 * the environment the chart gives it, declares the ports that config opens and probes paths those
 * ports answer. Needs helm ({@code scripts/install-helm}; found on the PATH, in {@code ~/go/bin} or
 * at {@code -Dpromptcanary.helm}); without it the test is skipped and says so, and {@code
 * DeploymentManifestTest} still checks the chart's values and templates as YAML.
 */
class HelmChartTest {
  private static Path helm;

  @BeforeAll
  static void findHelm() {
    helm = DeploymentFiles.helm().orElse(null);
    Assumptions.assumeTrue(
        helm != null,
        "helm is not installed (scripts/install-helm installs it): the chart is not rendered here;"
            + " DeploymentManifestTest checked its values and templates as YAML");
  }

  @Test
  void theChartLints() {
    assertThat(DeploymentFiles.runHelm(helm, "lint", CHART.toString()))
        .contains("0 chart(s) failed");
  }

  @Test
  void everyRenderedDeploymentRunsTheApplicationAsItReallyIs() {
    List<String[]> variants = new ArrayList<>();
    variants.add(new String[0]);
    for (Path example : DeploymentFiles.chartExamples()) {
      variants.add(new String[] {"-f", example.toString()});
    }
    for (String[] variant : variants) {
      String origin =
          variant.length == 0 ? "defaults" : Path.of(variant[1]).getFileName().toString();
      List<Process> processes =
          DeploymentFiles.chartProcesses(origin, DeploymentFiles.render(helm, variant));

      assertThat(processes)
          .as(origin)
          .extracting(Process::command)
          .containsExactlyInAnyOrder("server", "worker");
      for (Process process : processes) {
        PromptCanaryConfiguration config = DeploymentFiles.assertRealProcess(process);
        // Liveness never depends on Temporal or PostgreSQL being reachable.
        assertThat(process.probes())
            .filteredOn(p -> p.what().equals("livenessProbe"))
            .allSatisfy(p -> assertThat(p.path()).isEqualTo("/ping"));
        if (origin.contains("temporal-cloud")) {
          assertThat(config.getTemporal().getTls().isEnabled()).as(origin).isTrue();
        }
      }
    }
  }

  @Test
  void temporalCloudExamplesConnectWithTlsAndTheirCredentials() {
    Process mtls =
        DeploymentFiles.chartProcesses(
                "mtls",
                DeploymentFiles.render(
                    helm, "-f", CHART.resolve("examples/temporal-cloud-mtls.yaml").toString()))
            .get(0);
    PromptCanaryConfiguration mtlsConfig = DeploymentFiles.load(mtls.configFile(), mtls.env());
    assertThat(mtlsConfig.getTemporal().getTls().getCertChainFile())
        .isEqualTo("/etc/promptcanary/temporal-tls/tls.crt");
    assertThat(mtlsConfig.getTemporal().getTls().getPrivateKeyFile())
        .isEqualTo("/etc/promptcanary/temporal-tls/tls.key");
    assertThat(mtlsConfig.getTemporal().getApiKey()).isEmpty();

    Process apiKey =
        DeploymentFiles.chartProcesses(
                "api-key",
                DeploymentFiles.render(
                    helm,
                    "-f",
                    CHART.resolve("examples/temporal-cloud-api-key.yaml").toString(),
                    "--set",
                    "secrets.temporalApiKey=key-from-the-command-line"))
            .get(0);
    PromptCanaryConfiguration keyConfig = DeploymentFiles.load(apiKey.configFile(), apiKey.env());
    assertThat(keyConfig.getTemporal().getApiKey()).isEqualTo("key-from-the-command-line");
    assertThat(keyConfig.getTemporal().getTls().isEnabled()).isTrue();
    assertThat(keyConfig.getTemporal().getTls().getCertChainFile()).isNull();
  }

  @Test
  void theOptionalServiceMonitorScrapesTheMetricsPathOnTheAdminPorts() {
    assertThat(ofKind(DeploymentFiles.render(helm), "ServiceMonitor")).isEmpty();

    List<Map<String, Object>> documents =
        DeploymentFiles.render(helm, "--set", "metrics.serviceMonitor.enabled=true");
    List<Map<String, Object>> monitors = ofKind(documents, "ServiceMonitor");
    assertThat(monitors).hasSize(1);
    Map<String, Object> endpoint =
        map(DeploymentFiles.list(map(monitors.get(0), "spec").get("endpoints")).get(0));
    assertThat(DeploymentFiles.adminPaths()).contains(String.valueOf(endpoint.get("path")));
    List<Process> processes = DeploymentFiles.chartProcesses("monitored", documents);
    List<Map<String, Object>> metricsServices =
        ofKind(documents, "Service").stream()
            .filter(s -> map(s, "metadata", "labels").containsKey("promptcanary.dev/metrics"))
            .toList();
    assertThat(metricsServices).hasSize(2);
    for (Map<String, Object> service : metricsServices) {
      Map<String, Object> port =
          map(DeploymentFiles.list(map(service, "spec").get("ports")).get(0));
      assertThat(port)
          .containsEntry("name", endpoint.get("port"))
          .containsEntry("targetPort", "admin");
      String component =
          String.valueOf(map(service, "spec", "selector").get("app.kubernetes.io/component"));
      Process process =
          processes.stream()
              .filter(p -> p.origin().endsWith("-" + component))
              .findFirst()
              .orElseThrow();
      PromptCanaryConfiguration config = DeploymentFiles.load(process.configFile(), process.env());
      assertThat(DeploymentFiles.port(config, PortKind.ADMIN)).contains((Integer) port.get("port"));
    }
  }

  @Test
  void aHookJobRegistersTheSearchAttributesWhereTheProcessesConnect() {
    List<Map<String, Object>> documents = DeploymentFiles.render(helm);
    Map<String, Object> settings =
        map(
            ofKind(documents, "ConfigMap").stream()
                .filter(c -> map(c, "data").containsKey("PROMPTCANARY_TEMPORAL_TARGET"))
                .findFirst()
                .orElseThrow(),
            "data");
    List<Map<String, Object>> jobs = ofKind(documents, "Job");
    assertThat(jobs).hasSize(1);
    assertThat(map(jobs.get(0), "metadata", "annotations").get("helm.sh/hook"))
        .isEqualTo("post-install,post-upgrade");
    Map<String, Object> container =
        map(
            DeploymentFiles.list(map(jobs.get(0), "spec", "template", "spec").get("containers"))
                .get(0));
    Map<String, Object> env = new java.util.LinkedHashMap<>();
    for (Object variable : DeploymentFiles.list(container.get("env"))) {
      env.put(String.valueOf(map(variable).get("name")), map(variable).get("value"));
    }
    assertThat(env).containsEntry("TEMPORAL_ADDRESS", settings.get("PROMPTCANARY_TEMPORAL_TARGET"));
    assertThat(env)
        .containsEntry("TEMPORAL_NAMESPACE", settings.get("PROMPTCANARY_TEMPORAL_NAMESPACE"));
    String script =
        String.valueOf(
            ofKind(documents, "ConfigMap").stream()
                .filter(c -> map(c, "data").containsKey("register-search-attributes.sh"))
                .findFirst()
                .map(c -> map(c, "data").get("register-search-attributes.sh"))
                .orElseThrow());
    assertThat(script)
        .isEqualTo(
            DeploymentFiles.read(
                DeploymentFiles.ROOT.resolve(
                    "deployment/helm/promptcanary/files/register-search-attributes.sh")));

    assertThat(
            ofKind(
                DeploymentFiles.render(
                    helm, "-f", CHART.resolve("examples/temporal-cloud-api-key.yaml").toString()),
                "Job"))
        .isEmpty();
  }

  @Test
  void theWorkerShutsDownGracefullyAndDisruptionsAreBudgeted() {
    List<Map<String, Object>> documents = DeploymentFiles.render(helm);
    for (Map<String, Object> deployment : ofKind(documents, "Deployment")) {
      Map<String, Object> pod = map(deployment, "spec", "template", "spec");
      // Longer than the worker factory's 10 s wait for tasks in flight.
      assertThat((Integer) pod.get("terminationGracePeriodSeconds")).isGreaterThanOrEqualTo(30);
    }
    assertThat(ofKind(documents, "PodDisruptionBudget")).hasSize(2);
  }
}
