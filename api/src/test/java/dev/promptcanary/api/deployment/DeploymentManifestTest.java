package dev.promptcanary.api.deployment;

import static dev.promptcanary.api.deployment.DeploymentFiles.CHART;
import static dev.promptcanary.api.deployment.DeploymentFiles.COMPOSE;
import static dev.promptcanary.api.deployment.DeploymentFiles.map;
import static dev.promptcanary.api.deployment.DeploymentFiles.read;
import static dev.promptcanary.api.deployment.DeploymentFiles.yaml;
import static dev.promptcanary.api.deployment.DeploymentFiles.yamlDocuments;
import static org.assertj.core.api.Assertions.assertThat;

import dev.promptcanary.api.PromptCanaryConfiguration;
import dev.promptcanary.api.deployment.DeploymentFiles.PortKind;
import dev.promptcanary.api.deployment.DeploymentFiles.Process;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The compose file and the Helm chart, read as YAML without Docker or helm: the commands, config
 * files, ports and probe paths they name are the application's own (read from the application and
 * its config files, not from copies), and the chart's templates are well-formed YAML around their
 * template actions. {@code HelmChartTest} checks the rendered chart when helm is installed.
 */
class DeploymentManifestTest {

  @Test
  void composeServicesRunRealCommandsConfigsPortsAndHealthPaths() {
    List<Process> processes = DeploymentFiles.composeProcesses();

    assertThat(processes)
        .extracting(Process::command)
        .containsExactlyInAnyOrder("worker", "server");
    processes.forEach(DeploymentFiles::assertRealProcess);
  }

  @Test
  void composeRunsTemporalOnPostgresqlWithItsSchemaFromTheAdminTools() {
    Map<String, Object> services = map(DeploymentFiles.compose(), "services");

    assertThat(read(COMPOSE)).doesNotContain("auto-setup");
    Map<String, Object> temporal = map(services, "temporal");
    assertThat(String.valueOf(temporal.get("image"))).startsWith("temporalio/server:");
    assertThat(map(temporal, "environment")).containsEntry("DB", "postgres12");
    assertThat(map(temporal, "depends_on", "temporal-schema"))
        .containsEntry("condition", "service_completed_successfully");

    Map<String, Object> schema = map(services, "temporal-schema");
    assertThat(String.valueOf(schema.get("image"))).startsWith("temporalio/admin-tools:");
    String script = read(mountedScript(schema));
    assertThat(script).contains("temporal-sql-tool", "setup-schema", "update-schema");
    assertThat(script).contains("temporal_visibility");
    assertThat(map(services, "temporal-ui")).isNotEmpty();
  }

  @Test
  void composeRegistersTheSearchAttributesOnceBeforeTheWorkerStarts() {
    Map<String, Object> services = map(DeploymentFiles.compose(), "services");
    Map<String, Object> register = map(services, "register-search-attributes");

    assertThat(mountedScript(register))
        .isEqualTo(CHART.resolve("files/register-search-attributes.sh"));
    assertThat(register).doesNotContainKey("ports");
    assertThat(String.valueOf(register.get("restart"))).startsWith("on-failure");
    assertThat(map(services, "promptcanary-worker", "depends_on", "register-search-attributes"))
        .containsEntry("condition", "service_completed_successfully");
    // The namespace it registers in exists first.
    assertThat(map(register, "depends_on", "temporal-namespace"))
        .containsEntry("condition", "service_completed_successfully");
  }

  @Test
  void composeBuildsThePromptcanaryImageFromTheRepositoryDockerfile() {
    List<Map<String, Object>> promptcanary =
        map(DeploymentFiles.compose(), "services").values().stream()
            .map(DeploymentFiles::map)
            .filter(DeploymentFiles::isPromptCanary)
            .toList();

    assertThat(promptcanary).hasSize(2);
    for (Map<String, Object> service : promptcanary) {
      // Each builds it, so `up --build` never looks for promptcanary:0.1.0 in a registry.
      Map<String, Object> build = map(service, "build");
      Path dockerfile =
          COMPOSE
              .getParent()
              .resolve(String.valueOf(build.get("context")))
              .normalize()
              .resolve(String.valueOf(build.get("dockerfile")));
      assertThat(dockerfile).isEqualTo(DeploymentFiles.DOCKERFILE);
      assertThat(service.get("image")).isEqualTo(promptcanary.get(0).get("image"));
    }
    String text = read(DeploymentFiles.DOCKERFILE);
    // Multi-stage: the jar is built inside the image build, from the source, as ./promptcanary
    // does.
    assertThat(text).containsPattern("(?m)^FROM maven:\\S+ AS build$");
    assertThat(text).contains("-pl devstack -am package", "devstack/target/promptcanary.jar");
    assertThat(text).containsPattern("(?m)^COPY --from=build ");
  }

  /**
   * The chart's hook Job runs the one registration script, the file compose mounts too: it lives in
   * the chart (a chart must be self-contained, and Helm warns on every render about a symbolic link
   * in it), and no second copy exists to drift.
   */
  @Test
  void chartRegistersTheSearchAttributesWithTheSameScript() throws IOException {
    Path chartScript = CHART.resolve("files/register-search-attributes.sh");
    assertThat(chartScript).isRegularFile();
    assertThat(
            mountedScript(map(DeploymentFiles.compose(), "services", "register-search-attributes")))
        .isEqualTo(chartScript);
    assertThat(read(CHART.resolve("templates/register-search-attributes-job.yaml")))
        .contains(".Files.Get \"files/register-search-attributes.sh\"");
  }

  @Test
  void chartValuesNameRealCommandsConfigFilesPortsAndProbePaths() {
    Map<String, Object> values = yaml(CHART.resolve("values.yaml"));

    for (String component : List.of("api", "worker")) {
      Map<String, Object> settings = map(values, component);
      String template = read(CHART.resolve("templates/" + component + "-deployment.yaml"));
      assertThat(DeploymentFiles.commands()).contains(String.valueOf(settings.get("command")));
      Path config = DeploymentFiles.localPath(String.valueOf(settings.get("configFile")));
      assertThat(config).isRegularFile();

      Map<String, Object> ports = map(settings, "ports");
      for (Map.Entry<String, Object> port : ports.entrySet()) {
        PortKind kind = port.getKey().equals("admin") ? PortKind.ADMIN : PortKind.APPLICATION;
        // The template sets the port into a variable; the config file must listen where it says.
        String variable =
            variableSetFrom(template, ".Values." + component + ".ports." + port.getKey());
        PromptCanaryConfiguration loaded =
            DeploymentFiles.load(config, Map.of(variable, String.valueOf(port.getValue())));
        assertThat(DeploymentFiles.port(loaded, kind))
            .as("%s: %s read from %s", component, kind, variable)
            .isEqualTo(Optional.of(port.getValue()));
        assertThat(template)
            .contains("containerPort: {{ .Values." + component + ".ports." + port.getKey() + " }}");
      }
      PromptCanaryConfiguration defaults = DeploymentFiles.load(config, Map.of());
      // Every port the process opens is one the chart declares.
      for (PortKind kind : PortKind.values()) {
        DeploymentFiles.port(defaults, kind)
            .ifPresent(p -> assertThat(ports.values()).as("%s %s", component, kind).contains(p));
      }

      map(settings, "probes")
          .forEach(
              (name, node) -> {
                Map<String, Object> probe = map(node);
                String portName = String.valueOf(probe.get("port"));
                assertThat(ports).as("%s %s probe's port", component, name).containsKey(portName);
                PortKind kind = portName.equals("admin") ? PortKind.ADMIN : PortKind.APPLICATION;
                assertThat(DeploymentFiles.pathsOf(kind))
                    .as("%s %s probe's path", component, name)
                    .contains(String.valueOf(probe.get("path")));
                assertThat(template)
                    .contains("(dict \"probe\" .Values." + component + ".probes." + name + ")");
              });
    }
    // Health probes never on /healthcheck: it fails while Temporal is down, and serving does not.
    assertThat(read(CHART.resolve("values.yaml"))).doesNotContainPattern("path: /healthcheck");
    assertThat(DeploymentFiles.adminPaths())
        .contains(String.valueOf(map(values, "metrics").get("path")));
    assertThat(map(values, "metrics", "serviceMonitor")).containsEntry("enabled", false);
  }

  /**
   * Every template is YAML once its template actions are taken out (whole-line actions dropped,
   * inline ones replaced by a word): a lint that needs no helm.
   */
  @Test
  void chartTemplatesAreYamlAroundTheirTemplateActions() throws IOException {
    List<Path> templates;
    try (Stream<Path> files = Files.list(CHART.resolve("templates"))) {
      templates = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(templates)
        .extracting(p -> p.getFileName().toString())
        .contains(
            "api-deployment.yaml",
            "worker-deployment.yaml",
            "configmap.yaml",
            "secret.yaml",
            "pdb.yaml",
            "servicemonitor.yaml",
            "api-service.yaml");
    for (Path template : templates) {
      String stripped =
          read(template)
              .replaceAll("(?m)^\\s*\\{\\{-?[^}]*-?}}\\s*$\\n?", "")
              .replaceAll("\\{\\{-?[^}]*-?}}", "x");
      assertThat(yamlDocuments(stripped)).as("%s", template.getFileName()).isNotEmpty();
    }
    for (Path values : DeploymentFiles.chartExamples()) {
      assertThat(yaml(values)).as("%s", values.getFileName()).isNotEmpty();
    }
  }

  /** The shipped config files, with no variable set, as before any deployment. */
  @Test
  void shippedConfigFilesLoadWithTheirDefaults() throws IOException {
    try (Stream<Path> files = Files.list(DeploymentFiles.CONFIGS)) {
      List<Path> configs = files.filter(f -> f.toString().endsWith(".yml")).sorted().toList();
      assertThat(configs).hasSize(2);
      for (Path config : configs) {
        PromptCanaryConfiguration loaded = DeploymentFiles.load(config, Map.of());
        assertThat(loaded.getDatabase().getUrl()).startsWith("jdbc:postgresql://");
        assertThat(loaded.getTemporal().getTarget()).isEqualTo("localhost:7233");
        assertThat(loaded.getTemporal().getTaskQueue()).isEqualTo("promptcanary-rollouts");
        assertThat(loaded.isMigrateOnStart()).isTrue();
        // API keys are on unless a deployment switches them off explicitly.
        assertThat(loaded.getAuth().isEnabled()).isTrue();
        assertThat(loaded.getTemporal().getApiKey()).isEmpty();
        assertThat(loaded.getTemporal().getTls().getCertChainFile()).isNull();
      }
    }
  }

  /** The name of the variable a template sets from {@code valueRef}. */
  private static String variableSetFrom(String template, String valueRef) {
    Matcher m =
        Pattern.compile(
                "- name: (\\w+)\\s+value: \\{\\{ " + Pattern.quote(valueRef) + " \\| quote }}")
            .matcher(template);
    assertThat(m.find()).as("the template sets a variable from %s", valueRef).isTrue();
    return m.group(1);
  }

  /** The script a one-shot service runs: its entrypoint's last word, mapped through its volume. */
  private static Path mountedScript(Map<String, Object> service) {
    List<Object> entrypoint = DeploymentFiles.list(service.get("entrypoint"));
    String inContainer = String.valueOf(entrypoint.get(entrypoint.size() - 1));
    for (Object volume : DeploymentFiles.list(service.get("volumes"))) {
      String[] parts = String.valueOf(volume).split(":");
      if (parts[1].equals(inContainer)) {
        Path script = COMPOSE.getParent().resolve(parts[0]).normalize();
        assertThat(script).isRegularFile();
        return script;
      }
    }
    throw new AssertionError("no volume mounts " + inContainer);
  }
}
