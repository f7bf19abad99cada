package dev.promptcanary.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.promptcanary.api.TestApps;
import dev.promptcanary.api.auth.Role;
import dev.promptcanary.testkit.JarProcess;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import java.util.function.Predicate;

/**
 * The packaged jar run as deployed, for the process-level ITs: {@code dev --no-worker} (embedded
 * PostgreSQL, the embedded Temporal server and the API) in one process and workers in others,
 * started with {@code worker deployment/config/worker.yml}. Every process runs the test JVM's copy
 * of the jar ({@link ChildJvm}), so a rebuild of {@code target/} while a test runs cannot pull the
 * jar from under them. Also the test's HTTP and JDBC plumbing, and the children's logs for failure
 * messages.
 */
final class ProcessStack implements AutoCloseable {
  private static final Path WORKER_CONFIG = Path.of("..", "deployment", "config", "worker.yml");
  private static final Path SERVER_CONFIG = Path.of("..", "deployment", "config", "server.yml");
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * How long a child gets to answer on its port after its start: a first dev start runs initdb and
   * the migrations with fsync on, which on a loaded 2-core machine took over 90 s.
   */
  private static final Duration UP = Duration.ofSeconds(180);

  /** A test's steps against the stack. */
  interface Scenario {
    void run() throws Exception;
  }

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final List<JarProcess> children = new ArrayList<>();
  private final Path work;
  private Path jar;
  private int apiPort;
  private int adminPort;
  private int temporalPort;
  private int dbPort;
  private WorkflowServiceStubs temporalStubs;

  ProcessStack(Path work) {
    this.work = work;
  }

  /** Starts {@code dev --no-worker} on free ports and waits until its API answers. */
  JarProcess startDev() throws Exception {
    return startDev("dev", false);
  }

  /**
   * Starts {@code dev} (with its own worker when {@code withWorker}) and waits until its API
   * answers; the first start picks free ports, a later one (a restart) reuses them and the data
   * directory. The embedded Temporal is the one {@link TestTemporal} names.
   */
  JarProcess startDev(String name, boolean withWorker) throws Exception {
    if (jar == null) {
      jar = ChildJvm.jar();
      apiPort = TestApps.freePort();
      adminPort = TestApps.freePort();
      temporalPort = TestApps.freePort();
      dbPort = TestApps.freePort();
    }
    List<String> args = new ArrayList<>(List.of("dev"));
    if (!withWorker) {
      args.add("--no-worker");
    }
    args.addAll(
        List.of(
            "--port",
            String.valueOf(apiPort),
            "--admin-port",
            String.valueOf(adminPort),
            "--temporal-port",
            String.valueOf(temporalPort),
            "--db-port",
            String.valueOf(dbPort),
            "--data-dir",
            work.resolve("pg").toString()));
    args.addAll(TestTemporal.args());
    JarProcess dev = start(name, args, Map.of());
    return dev.waitForHttp("http://127.0.0.1:" + apiPort + "/v1/ping", UP);
  }

  /**
   * Starts a worker against dev's PostgreSQL and Temporal, with {@code env} added to its
   * environment (e.g. the {@code PROMPTCANARY_MODEL_*} variables of worker.yml), and waits until it
   * has started.
   */
  JarProcess startWorker(String name, Map<String, String> env) throws Exception {
    int adminPort = TestApps.freePort();
    Map<String, String> all =
        new HashMap<>(
            Map.of(
                "PROMPTCANARY_DB_URL",
                jdbcUrl(),
                "PROMPTCANARY_DB_USER",
                "postgres",
                "PROMPTCANARY_MIGRATE_ON_START",
                "false",
                "PROMPTCANARY_TEMPORAL_TARGET",
                "127.0.0.1:" + temporalPort,
                "PROMPTCANARY_WORKER_ADMIN_PORT",
                String.valueOf(adminPort)));
    all.putAll(env);
    JarProcess worker = start(name, List.of("worker", WORKER_CONFIG.toString()), all);
    // The admin port opens once every managed object, the Temporal worker included, has started.
    return worker.waitForHttp("http://127.0.0.1:" + adminPort + "/ping", UP);
  }

  /**
   * Starts an API node ({@code server deployment/config/server.yml}) against dev's PostgreSQL and
   * Temporal on the given ports, and waits until it serves. A restart passes the same ports.
   */
  JarProcess startApi(String name, int port, int adminPort) throws Exception {
    return startApi(name, port, adminPort, Map.of());
  }

  /** {@link #startApi(String, int, int)} with {@code overrides} added to its environment. */
  JarProcess startApi(String name, int port, int adminPort, Map<String, String> overrides)
      throws Exception {
    Map<String, String> env =
        new HashMap<>(
            Map.of(
                "PROMPTCANARY_DB_URL",
                jdbcUrl(),
                "PROMPTCANARY_DB_USER",
                "postgres",
                "PROMPTCANARY_MIGRATE_ON_START",
                "false",
                "PROMPTCANARY_TEMPORAL_TARGET",
                "127.0.0.1:" + temporalPort,
                "PROMPTCANARY_PORT",
                String.valueOf(port),
                "PROMPTCANARY_ADMIN_PORT",
                String.valueOf(adminPort)));
    env.putAll(overrides);
    JarProcess api = start(name, List.of("server", SERVER_CONFIG.toString()), env);
    return api.waitForHttp("http://127.0.0.1:" + port + "/v1/ping", UP);
  }

  /** SIGKILLs the child and checks that it died of it (exit status 128 + 9). */
  static void kill(JarProcess child) throws InterruptedException {
    assertThat(child.kill()).as(child.name() + " exit status: killed by SIGKILL").isEqualTo(137);
  }

  int temporalPort() {
    return temporalPort;
  }

  int dbPort() {
    return dbPort;
  }

  /** dev's database through another port (a {@link TcpProxy}), for the environment of a child. */
  static String jdbcUrl(int port) {
    return "jdbc:postgresql://localhost:" + port + "/promptcanary";
  }

  /** The connection to dev's Temporal server, opened on first use and closed with the stack. */
  WorkflowServiceStubs temporalStubs() {
    if (temporalStubs == null) {
      temporalStubs = TestTemporal.stubsAt(temporalPort);
    }
    return temporalStubs;
  }

  WorkflowClient temporal() {
    return WorkflowClient.newInstance(temporalStubs());
  }

  /**
   * Runs the test's steps; whatever they throw fails the test with the children's logs attached.
   */
  void run(Scenario scenario) {
    try {
      scenario.run();
    } catch (Throwable t) {
      throw new AssertionError(t.getMessage() + "\n" + childLogs(), t);
    }
  }

  /**
   * The Temporal connection first, then the children: workers first, dev last, since its shutdown
   * hook stops the embedded PostgreSQL, so it must not be killed.
   */
  @Override
  public void close() {
    if (temporalStubs != null) {
      temporalStubs.shutdownNow();
    }
    for (int i = children.size() - 1; i >= 0; i--) {
      children.get(i).stop();
    }
  }

  /** The last 200 lines of every child's output (without the request log), for failure messages. */
  String childLogs() {
    StringBuilder out = new StringBuilder();
    for (JarProcess child : children) {
      out.append("----- ")
          .append(child.name())
          .append(" (pid ")
          .append(child.pid())
          .append(", ")
          .append(child.isAlive() ? "running" : "exited " + child.exitValue())
          .append(") -----\n")
          .append(
              child.logTail(
                  200, line -> !line.startsWith("127.0.0.1 - - "))) // without the request log
          .append('\n');
    }
    return out.toString();
  }

  private JarProcess start(String name, List<String> args, Map<String, String> env)
      throws IOException {
    JarProcess child =
        ChildJvm.builder("384m")
            .name(name)
            .args(args)
            .env(env)
            .log(work.resolve(name + ".log"))
            .start();
    children.add(child);
    return child;
  }

  // ---- the API
  // -------------------------------------------------------------------------------------------

  /** The admin key dev wrote into its data directory. */
  String adminKey() throws java.io.IOException {
    return DevKeys.read(work.resolve("pg")).get(Role.ADMIN);
  }

  int apiPort() {
    return apiPort;
  }

  HttpResponse<String> get(String path) throws Exception {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path)).GET());
  }

  HttpResponse<String> post(String path, String json) throws Exception {
    return send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  /** A GET from another node of the stack (an API node on {@code port}), with a short timeout. */
  HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Authorization", "Bearer " + adminKey())
            .timeout(Duration.ofSeconds(10))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A POST to another node of the stack (an API node on {@code port}), with a short timeout. */
  HttpResponse<String> post(int port, String path, String json) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + adminKey())
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(
        request
            .header("Authorization", "Bearer " + adminKey())
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
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

  /**
   * Polls the rollout until {@code condition} holds; fails after 60 s naming {@code what} and the
   * last view.
   */
  JsonNode awaitRollout(String id, Predicate<JsonNode> condition, String what) {
    return awaitRollout(id, condition, what, 60);
  }

  JsonNode awaitRollout(String id, Predicate<JsonNode> condition, String what, int seconds) {
    return await(what)
        .atMost(Duration.ofSeconds(seconds))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> rollout(id), condition);
  }

  // ---- PostgreSQL
  // ----------------------------------------------------------------------------------------

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
    try (Connection c = database();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      List<String> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(rs.getString(1));
      }
      return rows;
    }
  }
}
