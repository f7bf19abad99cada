package dev.promptcanary.api.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptcanary.api.PromptCanaryApplication;
import dev.promptcanary.api.PromptCanaryConfiguration;
import dev.promptcanary.api.auth.Unauthenticated;
import dev.promptcanary.api.observability.PrometheusMetrics;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.core.cli.Command;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.metrics.servlets.AdminServlet;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.text.StringSubstitutor;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The deployment files as the tests read them: the compose file, the Helm chart (its values, its
 * templates and, with helm, its rendered manifests) and the Dockerfile, turned into the
 * promptcanary processes they start (command, config file, environment, ports, health probes); and
 * what the application really has (its commands, its ports once a config file is read with an
 * environment, the paths each port answers), taken from the application itself, never from a copy.
 */
final class DeploymentFiles {
  static final java.nio.file.Path ROOT = java.nio.file.Path.of("..").toAbsolutePath().normalize();
  static final java.nio.file.Path COMPOSE = ROOT.resolve("deployment/compose/compose.yml");
  static final java.nio.file.Path CHART = ROOT.resolve("deployment/helm/promptcanary");
  static final java.nio.file.Path CONFIGS = ROOT.resolve("deployment/config");
  static final java.nio.file.Path DOCKERFILE = ROOT.resolve("Dockerfile");

  private DeploymentFiles() {}

  /** Which of a process's two kinds of port a probe or published port is. */
  enum PortKind {
    APPLICATION,
    ADMIN
  }

  /** A health probe: the port it knocks on (a number) and the path. */
  record Probe(String what, int port, String path) {}

  /**
   * One promptcanary process as a deployment file starts it: {@code args} after the jar (command,
   * config file in the image), its environment, the container ports it declares and its probes.
   */
  record Process(
      String origin,
      List<String> args,
      Map<String, String> env,
      Set<Integer> containerPorts,
      List<Probe> probes) {
    String command() {
      return args.get(0);
    }

    /** The shipped file the image has at the path the command names. */
    java.nio.file.Path configFile() {
      return localPath(args.get(args.size() - 1));
    }
  }

  // ---- YAML

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> yamlDocuments(String text) {
    List<Map<String, Object>> documents = new ArrayList<>();
    for (Object document : new Yaml(new LoaderOptions()).loadAll(text)) {
      if (document != null) {
        documents.add((Map<String, Object>) document);
      }
    }
    return documents;
  }

  static Map<String, Object> yaml(java.nio.file.Path file) {
    List<Map<String, Object>> documents = yamlDocuments(read(file));
    assertThat(documents).as("%s holds one YAML document", file).hasSize(1);
    return documents.get(0);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object node, String... path) {
    Object current = node;
    for (String key : path) {
      assertThat(current).as("a map above %s", key).isInstanceOf(Map.class);
      current = ((Map<String, Object>) current).get(key);
    }
    return current == null ? Map.of() : (Map<String, Object>) current;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object node) {
    return node == null ? List.of() : (List<Object>) node;
  }

  static String read(java.nio.file.Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---- the image

  /**
   * A path inside the image, mapped back to the work tree through the Dockerfile's {@code COPY
   * deployment/config/ /app/config/}: the config files the image carries are the shipped ones.
   */
  static java.nio.file.Path localPath(String imagePath) {
    Matcher copy =
        Pattern.compile("(?m)^COPY (deployment/config/) (/app/config/)\\s*$")
            .matcher(read(DOCKERFILE));
    assertThat(copy.find()).as("the Dockerfile copies deployment/config/ into the image").isTrue();
    assertThat(imagePath).as("a config file the image has").startsWith(copy.group(2));
    return ROOT.resolve(copy.group(1)).resolve(imagePath.substring(copy.group(2).length()));
  }

  // ---- the compose file

  static Map<String, Object> compose() {
    return yaml(COMPOSE);
  }

  static boolean isPromptCanary(Map<String, Object> service) {
    return String.valueOf(service.get("image")).startsWith("promptcanary:");
  }

  /** Every service of the compose file that runs the promptcanary image. */
  static List<Process> composeProcesses() {
    List<Process> processes = new ArrayList<>();
    map(compose(), "services")
        .forEach(
            (name, node) -> {
              Map<String, Object> service = map(node);
              if (!isPromptCanary(service)) {
                return;
              }
              Map<String, String> env = new LinkedHashMap<>();
              map(service, "environment").forEach((k, v) -> env.put(k, composeValue(v)));
              Set<Integer> ports = new LinkedHashSet<>();
              for (Object published : list(service.get("ports"))) {
                String[] parts = String.valueOf(published).split(":");
                ports.add(Integer.parseInt(parts[parts.length - 1]));
              }
              List<Probe> probes = new ArrayList<>();
              for (Object word : list(map(service, "healthcheck").get("test"))) {
                Matcher url =
                    Pattern.compile("http://localhost:(\\d+)(/\\S*)").matcher(String.valueOf(word));
                if (url.matches()) {
                  probes.add(
                      new Probe("healthcheck", Integer.parseInt(url.group(1)), url.group(2)));
                }
              }
              List<String> args = new ArrayList<>();
              list(service.get("command")).forEach(a -> args.add(String.valueOf(a)));
              processes.add(new Process("compose " + name, args, env, ports, probes));
            });
    return processes;
  }

  /** A compose value as the container sees it when no variable is set: {@code ${X:-d}} is d. */
  private static String composeValue(Object value) {
    return StringSubstitutor.replace(String.valueOf(value), Map.of());
  }

  // ---- the chart

  /** helm from {@code -Dpromptcanary.helm}, the PATH or {@code ~/go/bin} (scripts/install-helm). */
  static Optional<java.nio.file.Path> helm() {
    List<java.nio.file.Path> candidates = new ArrayList<>();
    String configured = System.getProperty("promptcanary.helm", "");
    if (!configured.isBlank()) {
      candidates.add(java.nio.file.Path.of(configured));
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (!dir.isBlank()) {
        candidates.add(java.nio.file.Path.of(dir, "helm"));
      }
    }
    candidates.add(java.nio.file.Path.of(System.getProperty("user.home"), "go", "bin", "helm"));
    return candidates.stream().filter(Files::isExecutable).findFirst();
  }

  /** The chart's example values files (Temporal Cloud, external PostgreSQL). */
  static List<java.nio.file.Path> chartExamples() {
    try (Stream<java.nio.file.Path> files = Files.list(CHART.resolve("examples"))) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code helm ARGS...}'s standard output; fails the test on a non-zero exit. */
  static String runHelm(java.nio.file.Path helm, String... args) {
    List<String> command = new ArrayList<>(List.of(helm.toString()));
    command.addAll(List.of(args));
    return run(command, Map.of(), 120).requireSuccess();
  }

  private static final Map<List<String>, String> RENDERED =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * {@code helm template} of the chart with the given extra arguments (-f, --set); each rendering
   * is done once per test run (a helm start costs seconds on a loaded machine).
   */
  static List<Map<String, Object>> render(java.nio.file.Path helm, String... extra) {
    List<String> args = new ArrayList<>(List.of("template", "pc", CHART.toString()));
    args.addAll(List.of(extra));
    return yamlDocuments(
        RENDERED.computeIfAbsent(List.copyOf(args), a -> runHelm(helm, a.toArray(String[]::new))));
  }

  static List<Map<String, Object>> ofKind(List<Map<String, Object>> documents, String kind) {
    return documents.stream().filter(d -> kind.equals(d.get("kind"))).toList();
  }

  /**
   * Every container of the rendered Deployments as a process: its environment is the chart's
   * ConfigMap, the chart's Secret (when it creates one) and the container's own {@code env}, in the
   * order Kubernetes applies them.
   */
  static List<Process> chartProcesses(String origin, List<Map<String, Object>> documents) {
    Map<String, Map<String, Object>> configMaps = new LinkedHashMap<>();
    ofKind(documents, "ConfigMap")
        .forEach(
            c -> configMaps.put(String.valueOf(map(c, "metadata").get("name")), map(c, "data")));
    Map<String, Map<String, Object>> secrets = new LinkedHashMap<>();
    ofKind(documents, "Secret")
        .forEach(
            s -> secrets.put(String.valueOf(map(s, "metadata").get("name")), map(s, "stringData")));
    List<Process> processes = new ArrayList<>();
    for (Map<String, Object> deployment : ofKind(documents, "Deployment")) {
      for (Object node : list(map(deployment, "spec", "template", "spec").get("containers"))) {
        Map<String, Object> container = map(node);
        Map<String, String> env = new LinkedHashMap<>();
        for (Object from : list(container.get("envFrom"))) {
          Map<String, Object> source = map(from);
          if (source.containsKey("configMapRef")) {
            String name = String.valueOf(map(source, "configMapRef").get("name"));
            assertThat(configMaps).as("%s: the ConfigMap it reads", origin).containsKey(name);
            configMaps.get(name).forEach((k, v) -> env.put(k, String.valueOf(v)));
          } else {
            String name = String.valueOf(map(source, "secretRef").get("name"));
            secrets.getOrDefault(name, Map.of()).forEach((k, v) -> env.put(k, String.valueOf(v)));
          }
        }
        for (Object variable : list(container.get("env"))) {
          Map<String, Object> entry = map(variable);
          env.put(String.valueOf(entry.get("name")), String.valueOf(entry.get("value")));
        }
        Map<String, Integer> namedPorts = new LinkedHashMap<>();
        for (Object port : list(container.get("ports"))) {
          Map<String, Object> p = map(port);
          namedPorts.put(String.valueOf(p.get("name")), (Integer) p.get("containerPort"));
        }
        List<Probe> probes = new ArrayList<>();
        for (String kind : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
          Map<String, Object> get = map(container, kind, "httpGet");
          assertThat(get).as("%s %s: an httpGet probe", origin, kind).isNotEmpty();
          Object port = get.get("port");
          Integer number = port instanceof Integer i ? i : namedPorts.get(String.valueOf(port));
          assertThat(number)
              .as("%s %s: port %s is one the container declares", origin, kind, port)
              .isNotNull();
          probes.add(new Probe(kind, number, String.valueOf(get.get("path"))));
        }
        List<String> args = new ArrayList<>();
        list(container.get("args")).forEach(a -> args.add(String.valueOf(a)));
        processes.add(
            new Process(
                origin + " " + map(deployment, "metadata").get("name"),
                args,
                env,
                new LinkedHashSet<>(namedPorts.values()),
                probes));
      }
    }
    return processes;
  }

  // ---- the application

  /** The commands of the application's command line, as {@code java -jar} runs them. */
  static Set<String> commands() {
    Set<String> names = new LinkedHashSet<>();
    new PromptCanaryApplication() {
      {
        Bootstrap<PromptCanaryConfiguration> bootstrap = new Bootstrap<>(this);
        addDefaultCommands(bootstrap);
        initialize(bootstrap);
        bootstrap.getCommands().stream().map(Command::getName).forEach(names::add);
      }
    };
    return names;
  }

  /**
   * A config file read as the application reads it, with {@code env} as the environment (unset
   * variables take their defaults, as {@code EnvironmentVariableSubstitutor(false)} does), and
   * validated.
   */
  static PromptCanaryConfiguration load(java.nio.file.Path file, Map<String, String> env) {
    YamlConfigurationFactory<PromptCanaryConfiguration> factory =
        new YamlConfigurationFactory<>(
            PromptCanaryConfiguration.class,
            Validators.newValidator(),
            Jackson.newObjectMapper(),
            "dw");
    try {
      return factory.build(
          new SubstitutingSourceProvider(
              new FileConfigurationSourceProvider(), new StringSubstitutor(env::get)),
          file.toString());
    } catch (Exception e) {
      throw new AssertionError(file + " does not load with " + env.keySet() + ": " + e, e);
    }
  }

  /** The port of {@code kind} a config file gives (empty: the process has none). */
  static Optional<Integer> port(PromptCanaryConfiguration config, PortKind kind) {
    DefaultServerFactory server = (DefaultServerFactory) config.getServerFactory();
    var connectors =
        kind == PortKind.ADMIN ? server.getAdminConnectors() : server.getApplicationConnectors();
    return connectors.stream().map(c -> ((HttpConnectorFactory) c).getPort()).findFirst();
  }

  /** The kind of port {@code port} is for a process with this configuration (empty: neither). */
  static Optional<PortKind> kindOf(PromptCanaryConfiguration config, int port) {
    for (PortKind kind : PortKind.values()) {
      if (port(config, kind).equals(Optional.of(port))) {
        return Optional.of(kind);
      }
    }
    return Optional.empty();
  }

  /**
   * The paths the admin port answers: Dropwizard's admin servlet (its default paths, which the
   * application keeps) and the Prometheus scrape the application adds.
   */
  static Set<String> adminPaths() {
    return Set.of(
        AdminServlet.DEFAULT_PING_URI,
        AdminServlet.DEFAULT_HEALTHCHECK_URI,
        AdminServlet.DEFAULT_METRICS_URI,
        AdminServlet.DEFAULT_THREADS_URI,
        PrometheusMetrics.PATH);
  }

  /**
   * The paths of the API that answer a GET without a key (a probe sends none): every resource
   * method under {@code dev.promptcanary.api.resources} annotated {@link Unauthenticated}.
   */
  static Set<String> unauthenticatedGetPaths() {
    Set<String> paths = new LinkedHashSet<>();
    for (Class<?> resource :
        new com.tngtech.archunit.core.importer.ClassFileImporter()
            .importPackages("dev.promptcanary.api.resources").stream()
                .filter(c -> c.isAnnotatedWith(Path.class))
                .map(com.tngtech.archunit.core.domain.JavaClass::reflect)
                .toList()) {
      String base = resource.getAnnotation(Path.class).value();
      for (Method method : resource.getMethods()) {
        if (method.isAnnotationPresent(GET.class)
            && method.isAnnotationPresent(Unauthenticated.class)) {
          Path sub = method.getAnnotation(Path.class);
          paths.add(sub == null ? base : base + "/" + sub.value().replaceFirst("^/", ""));
        }
      }
    }
    return paths;
  }

  /** The paths a port of {@code kind} answers without a key. */
  static Set<String> pathsOf(PortKind kind) {
    return kind == PortKind.ADMIN ? adminPaths() : unauthenticatedGetPaths();
  }

  /**
   * Checks one process against the application: a real command, a shipped config file that loads
   * and validates with the process's environment, every port its config opens declared, and every
   * probe on one of those ports at a path that port answers.
   */
  static PromptCanaryConfiguration assertRealProcess(Process process) {
    assertThat(commands()).as("%s: command", process.origin()).contains(process.command());
    assertThat(process.configFile()).as("%s: config file", process.origin()).isRegularFile();
    PromptCanaryConfiguration config = load(process.configFile(), process.env());
    for (PortKind kind : PortKind.values()) {
      port(config, kind)
          .ifPresent(
              port ->
                  assertThat(process.containerPorts())
                      .as("%s: the %s port its config opens", process.origin(), kind)
                      .contains(port));
    }
    assertThat(process.probes()).as("%s: health probes", process.origin()).isNotEmpty();
    for (Probe probe : process.probes()) {
      Optional<PortKind> kind = kindOf(config, probe.port());
      assertThat(kind)
          .as(
              "%s %s: port %d is one its config opens",
              process.origin(), probe.what(), probe.port())
          .isPresent();
      assertThat(pathsOf(kind.get()))
          .as("%s %s: a path the %s port answers", process.origin(), probe.what(), kind.get())
          .contains(probe.path());
    }
    return config;
  }

  // ---- child processes

  record Run(int exitCode, String output) {
    String requireSuccess() {
      assertThat(exitCode).as("exit code; output:%n%s", output).isZero();
      return output;
    }
  }

  /**
   * Runs {@code command} with exactly {@code env} (plus PATH and HOME), output and errors merged.
   */
  static Run run(List<String> command, Map<String, String> env, int timeoutSeconds) {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> environment = builder.environment();
    environment.keySet().removeIf(name -> !name.equals("PATH") && !name.equals("HOME"));
    environment.putAll(env);
    try {
      java.lang.Process child = builder.start();
      child.getOutputStream().close();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      Thread pump = new Thread(() -> transfer(child, out));
      pump.start();
      if (!child.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        child.destroyForcibly();
        throw new AssertionError(command + " did not finish in " + timeoutSeconds + " s");
      }
      pump.join();
      return new Run(child.exitValue(), out.toString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void transfer(java.lang.Process child, ByteArrayOutputStream out) {
    try {
      child.getInputStream().transferTo(out);
    } catch (IOException e) {
      // the child is gone; what it wrote is in out
    }
  }
}
