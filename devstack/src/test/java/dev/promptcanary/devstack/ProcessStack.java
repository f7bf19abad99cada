package dev.promptcanary.devstack;

import dev.promptcanary.api.TestApps;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The packaged jar run as deployed, for the process-level ITs: {@code dev --no-worker} (embedded PostgreSQL, the
 * embedded Temporal server and the API) in one process and workers in others, started with {@code worker
 * deployment/config/worker.yml}. Every process runs a copy of the jar in the test's directory, so a rebuild of
 * {@code target/} while a test runs cannot pull the jar from under them. Also the test's HTTP and JDBC plumbing, and
 * the children's logs for failure messages.
 */
final class ProcessStack implements AutoCloseable {
  private static final Path JAR = Path.of("target", "promptcanary.jar");
  private static final Path WORKER_CONFIG = Path.of("..", "deployment", "config", "worker.yml");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A child process and the file its output goes to. */
  record Child(String name, Process process, Path log) {}

  /** A test's steps against the stack. */
  interface Scenario {
    void run() throws Exception;
  }

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final List<Child> children = new ArrayList<>();
  private final Path work;
  private Path jar;
  private int apiPort;
  private int temporalPort;
  private int dbPort;
  private WorkflowServiceStubs temporalStubs;

  ProcessStack(Path work) {
    this.work = work;
  }

  /** Starts {@code dev --no-worker} on free ports and waits until its API answers. */
  Child startDev() throws Exception {
    jar = Files.copy(JAR, work.resolve("promptcanary.jar"));
    apiPort = TestApps.freePort();
    temporalPort = TestApps.freePort();
    dbPort = TestApps.freePort();
    Child dev = start("dev", List.of("dev", "--no-worker", "--port", String.valueOf(apiPort),
        "--admin-port", String.valueOf(TestApps.freePort()), "--temporal-port", String.valueOf(temporalPort),
        "--db-port", String.valueOf(dbPort), "--data-dir", work.resolve("pg").toString()), Map.of());
    awaitUp(dev, apiPort, "/v1/ping");
    return dev;
  }

  /**
   * Starts a worker against dev's PostgreSQL and Temporal, with {@code env} added to its environment (e.g. the
   * {@code PROMPTCANARY_MODEL_*} variables of worker.yml), and waits until it has started.
   */
  Child startWorker(String name, Map<String, String> env) throws Exception {
    int adminPort = TestApps.freePort();
    Map<String, String> all = new HashMap<>(Map.of(
        "PROMPTCANARY_DB_URL", jdbcUrl(),
        "PROMPTCANARY_DB_USER", "postgres",
        "PROMPTCANARY_MIGRATE_ON_START", "false",
        "PROMPTCANARY_TEMPORAL_TARGET", "127.0.0.1:" + temporalPort,
        "PROMPTCANARY_WORKER_ADMIN_PORT", String.valueOf(adminPort)));
    all.putAll(env);
    Child worker = start(name, List.of("worker", WORKER_CONFIG.toString()), all);
    // The admin port opens once every managed object, the Temporal worker included, has started.
    awaitUp(worker, adminPort, "/ping");
    return worker;
  }

  /** SIGKILLs the child and checks that it died of it (exit status 128 + 9). */
  static void kill(Child child) throws InterruptedException {
    child.process().destroyForcibly(); // SIGKILL
    assertThat(child.process().waitFor(30, TimeUnit.SECONDS)).as(child.name() + " died").isTrue();
    assertThat(child.process().exitValue()).as(child.name() + " exit status: killed by SIGKILL").isEqualTo(137);
  }

  int temporalPort() {
    return temporalPort;
  }

  /** The connection to dev's Temporal server, opened on first use and closed with the stack. */
  WorkflowServiceStubs temporalStubs() {
    if (temporalStubs == null) {
      temporalStubs = WorkflowServiceStubs.newServiceStubs(
          WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:" + temporalPort).build());
    }
    return temporalStubs;
  }

  WorkflowClient temporal() {
    return WorkflowClient.newInstance(temporalStubs());
  }

  /** Runs the test's steps; whatever they throw fails the test with the children's logs attached. */
  void run(Scenario scenario) {
    try {
      scenario.run();
    } catch (Throwable t) {
      throw new AssertionError(t.getMessage() + "\n" + childLogs(), t);
    }
  }

  /**
   * The Temporal connection first, then the children: workers first, dev last, since its shutdown hook stops the
   * embedded PostgreSQL, so it must not be killed.
   */
  @Override
  public void close() throws InterruptedException {
    if (temporalStubs != null) {
      temporalStubs.shutdownNow();
    }
    for (int i = children.size() - 1; i >= 0; i--) {
      Process process = children.get(i).process();
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }

  /** The last 200 lines of every child's output (without the request log), for failure messages. */
  String childLogs() {
    StringBuilder out = new StringBuilder();
    for (Child child : children) {
      out.append("----- ").append(child.name()).append(" (pid ").append(child.process().pid()).append(", ")
          .append(child.process().isAlive() ? "running" : "exited " + child.process().exitValue()).append(") -----\n");
      try {
        List<String> lines = Files.readAllLines(child.log()).stream()
            .filter(line -> !line.startsWith("127.0.0.1 - - ")) // the request log
            .toList();
        lines.subList(Math.max(0, lines.size() - 200), lines.size()).forEach(l -> out.append(l).append('\n'));
      } catch (IOException e) {
        out.append("(log unreadable: ").append(e.getMessage()).append(")\n");
      }
    }
    return out.toString();
  }

  private Child start(String name, List<String> args, Map<String, String> env) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx384m", "-jar", jar.toString()));
    command.addAll(args);
    Path log = work.resolve(name + ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(env);
    Child child = new Child(name, builder.start(), log);
    children.add(child);
    return child;
  }

  private void awaitUp(Child child, int port, String path) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      if (!child.process().isAlive()) {
        throw new AssertionError(child.name() + " exited early with " + child.process().exitValue());
      }
      try {
        if (send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(250);
    }
    throw new AssertionError(child.name() + " did not come up within 90 s");
  }

  // ---- the API -------------------------------------------------------------------------------------------

  HttpResponse<String> get(String path) throws Exception {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path)).GET());
  }

  HttpResponse<String> post(String path, String json) throws Exception {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Starts a rollout through the API, fails unless it is accepted (201), and returns its id. */
  String startRollout(String json) throws Exception {
    HttpResponse<String> started = post("/v1/rollouts", json);
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    return JSON.readTree(started.body()).get("id").asText();
  }

  JsonNode rollout(String id) throws Exception {
    HttpResponse<String> reply = get("/v1/rollouts/" + id);
    assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
    return JSON.readTree(reply.body());
  }

  /** Polls the rollout until {@code condition} holds; fails after 60 s naming {@code what} and the last view. */
  JsonNode awaitRollout(String id, Predicate<JsonNode> condition, String what) throws Exception {
    return awaitRollout(id, condition, what, 60);
  }

  JsonNode awaitRollout(String id, Predicate<JsonNode> condition, String what, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    JsonNode rollout = rollout(id);
    while (!condition.test(rollout)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited " + seconds + " s for " + what + "; the rollout is " + rollout);
      }
      Thread.sleep(200);
      rollout = rollout(id);
    }
    return rollout;
  }

  // ---- PostgreSQL ----------------------------------------------------------------------------------------

  private String jdbcUrl() {
    return "jdbc:postgresql://localhost:" + dbPort + "/promptcanary";
  }

  Connection database() throws SQLException {
    return DriverManager.getConnection(jdbcUrl(), "postgres", "");
  }

  long queryLong(String sql) throws SQLException {
    return Long.parseLong(queryString(sql));
  }

  String queryString(String sql) throws SQLException {
    List<String> rows = queryStrings(sql);
    assertThat(rows).as(sql).hasSize(1);
    return rows.get(0);
  }

  List<String> queryStrings(String sql) throws SQLException {
    try (Connection c = database(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      List<String> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(rs.getString(1));
      }
      return rows;
    }
  }

}
