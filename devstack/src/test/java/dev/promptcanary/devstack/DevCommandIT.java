package dev.promptcanary.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.promptcanary.api.TestApps;
import dev.promptcanary.api.auth.Role;
import dev.promptcanary.testkit.JarProcess;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar's {@code dev} command, run as a user would: a real process, killed and started
 * again.
 */
class DevCommandIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A first start runs initdb and the migrations with fsync on, and on the CLI's dev server waits
   * for it too: over 120 s on a loaded 2-core machine.
   */
  private static final Duration UP = Duration.ofSeconds(180);

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir Path work;

  @Test
  void runsTheWholeStackAndKeepsItsDataAcrossARestart() throws Exception {
    int port = TestApps.freePort();
    int adminPort = TestApps.freePort();
    int temporalPort = TestApps.freePort();
    Path dataDir = work.resolve("pg");
    var adminKeyOfTheFirstStart = new java.util.concurrent.atomic.AtomicReference<String>();

    JarProcess first = start("first", port, adminPort, temporalPort, dataDir);
    whileRunning(
        first,
        () -> {
          first.waitForHttp(ping(port), UP);
          assertThat(DevKeys.read(dataDir)).containsOnlyKeys(Role.values());
          assertThat(
                  http.send(
                          HttpRequest.newBuilder(
                                  URI.create("http://127.0.0.1:" + port + "/v1/prompts"))
                              .GET()
                              .build(),
                          HttpResponse.BodyHandlers.ofString())
                      .statusCode())
              .as("without a key")
              .isEqualTo(401);
          adminKeyOfTheFirstStart.set(DevKeys.read(dataDir).get(Role.ADMIN));
          HttpResponse<String> created =
              post(port, "/v1/prompts/kept/versions", TestApps.version(1));
          assertThat(created.statusCode()).isEqualTo(201);
          JsonNode health = JSON.readTree(get(adminPort, "/healthcheck").body());
          assertThat(health.get("temporal").get("healthy").asBoolean()).isTrue();
          assertThat(health.get("postgresql").get("healthy").asBoolean()).isTrue();
          if (TestTemporal.cli()) {
            // The dev server's SQLite in write-ahead mode (TemporalDevServer.SQLITE_PRAGMAS): its
            // log
            // lives beside the file while the server runs.
            assertThat(dataDir.resolve("temporal.db-wal")).exists();
          }
          // Prometheus on the admin port: promptcanary's request meters and the Temporal SDK's
          // worker meters (reported into the registry once a second) through the same registry.
          String scrape =
              await("dev's Prometheus scrape with the Temporal worker's meters")
                  .atMost(Duration.ofSeconds(30))
                  .pollInterval(Duration.ofMillis(500))
                  .until(
                      () -> get(adminPort, "/metrics/prometheus").body(),
                      text -> text.contains("temporal_num_pollers{"));
          assertThat(scrape)
              .contains("# TYPE promptcanary_http_requests_seconds histogram")
              .contains("route=\"/v1/prompts/{name}/versions\"")
              .contains("# TYPE temporal_worker_task_slots_available gauge")
              .contains("# TYPE promptcanary_rollouts gauge");
          return null;
        });

    JarProcess second = start("second", port, adminPort, temporalPort, dataDir);
    whileRunning(
        second,
        () -> {
          second.waitForHttp(ping(port), UP);
          // The keys in the data directory survive a restart (scripts keep working).
          assertThat(DevKeys.read(dataDir).get(Role.ADMIN))
              .isEqualTo(adminKeyOfTheFirstStart.get());
          JsonNode version = JSON.readTree(get(port, "/v1/prompts/kept/versions/1").body());
          assertThat(version.get("author").asText()).isEqualTo("ana");
          JsonNode resolved = JSON.readTree(get(port, "/v1/prompts/kept/resolve?unit=u1").body());
          assertThat(resolved.get("version").asInt()).isEqualTo(1);
          return null;
        });
  }

  /**
   * On Temporal's Java test server the history lived in memory only, so the new process rebuilds
   * the rollout from its PostgreSQL checkpoint as a new run; on the Temporal CLI's dev server the
   * history is kept in its SQLite file and the same run just continues.
   */
  @Test
  void anUnfinishedRolloutGoesOnAfterARestart() throws Exception {
    int port = TestApps.freePort();
    int adminPort = TestApps.freePort();
    int temporalPort = TestApps.freePort();
    Path dataDir = work.resolve("pg");

    JarProcess first = start("first", port, adminPort, temporalPort, dataDir);
    JsonNode before =
        whileRunning(
            first,
            () -> {
              first.waitForHttp(ping(port), UP);
              post(port, "/v1/prompts/resumed/versions", TestApps.version(1));
              post(port, "/v1/prompts/resumed/versions", TestApps.version(2));
              HttpResponse<String> started =
                  post(
                      port,
                      "/v1/rollouts",
                      """
          {"prompt": "resumed", "candidateVersion": 2, "startedBy": "it",
           "stages": [{"weightBp": 1000, "minJudgements": 100, "minBakeSeconds": 0, "maxBakeSeconds": 3600}]}""");
              assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
              String id = JSON.readTree(started.body()).get("id").asText();
              awaitRollout(
                  port,
                  id,
                  r -> r.get("state").asText().equals("CANARY") && r.hasNonNull("live"),
                  "rollout " + id + " in CANARY");
              Run run = latestRun(temporalPort, id);
              return JSON.createObjectNode()
                  .put("rolloutId", id)
                  .put("runId", run.runId())
                  .put("events", run.events());
            });
    String rolloutId = before.get("rolloutId").asText();
    String runBefore = before.get("runId").asText();
    int eventsBefore = before.get("events").asInt();

    JarProcess second = start("second", port, adminPort, temporalPort, dataDir);
    whileRunning(
        second,
        () -> {
          second.waitForHttp(ping(port), UP);
          JsonNode rollout;
          if (TestTemporal.cli()) {
            rollout =
                awaitRollout(
                    port, rolloutId, r -> r.hasNonNull("live"), "rollout " + rolloutId + " live");
            assertThat(rollout.has("resumedFromRunId"))
                .as("no checkpoint re-creation: " + rollout)
                .isFalse();
            Run kept = latestRun(temporalPort, rolloutId);
            assertThat(kept.runId()).as("the same run goes on").isEqualTo(runBefore);
            assertThat(kept.events())
                .as("its whole history kept")
                .isGreaterThanOrEqualTo(eventsBefore);
            assertThat(rollout.get("live").get("timeline").findValuesAsText("event"))
                .containsOnlyOnce("stage 1 started")
                .doesNotContain("resumed");
            assertThat(second.logTail(400)).doesNotContain("from its checkpoint (lost run");
          } else {
            rollout =
                awaitRollout(
                    port,
                    rolloutId,
                    r -> r.hasNonNull("live") && r.hasNonNull("resumedFromRunId"),
                    "rollout " + rolloutId + " resumed");
            assertThat(rollout.get("resumedFromRunId").asText()).isEqualTo(runBefore);
            assertThat(rollout.get("live").get("timeline").findValuesAsText("event"))
                .contains("stage 1 started", "resumed");
          }
          assertThat(rollout.get("state").asText()).isEqualTo("CANARY");
          assertThat(rollout.get("live").get("canaryWeightBp").asInt()).isEqualTo(1000);
          JsonNode routing = JSON.readTree(get(port, "/v1/prompts/resumed/routing").body());
          assertThat(routing.get("canaryWeightBp").asInt()).isEqualTo(1000);
          assertThat(routing.get("rolloutId").asText()).isEqualTo(rolloutId);

          HttpResponse<String> aborted =
              post(
                  port,
                  "/v1/rollouts/" + rolloutId + "/abort",
                  "{\"actor\": \"it\", \"reason\": \"done\"}");
          assertThat(aborted.statusCode()).as(aborted.body()).isEqualTo(200);
          assertThat(
                  JSON.readTree(get(port, "/v1/prompts/resumed/routing").body())
                      .get("canaryWeightBp")
                      .asInt())
              .isZero();
          return null;
        });
  }

  /**
   * Runs {@code steps} against {@code dev}, then stops it; whatever they throw fails the test with
   * dev's log.
   */
  private static <T> T whileRunning(JarProcess dev, Callable<T> steps) throws Exception {
    try (dev) {
      return steps.call();
    } catch (Exception | AssertionError e) {
      throw new AssertionError(
          e.getMessage() + "\n----- " + dev.name() + " -----\n" + dev.logTail(200), e);
    }
  }

  private JsonNode awaitRollout(int port, String id, Predicate<JsonNode> condition, String what) {
    return await(what)
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> JSON.readTree(get(port, "/v1/rollouts/" + id).body()), condition);
  }

  private JarProcess start(String name, int port, int adminPort, int temporalPort, Path dataDir)
      throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "dev",
                "--port",
                String.valueOf(port),
                "--admin-port",
                String.valueOf(adminPort),
                "--temporal-port",
                String.valueOf(temporalPort),
                "--data-dir",
                dataDir.toString()));
    args.addAll(TestTemporal.args());
    return ChildJvm.builder(null).name(name).log(work.resolve(name + ".log")).args(args).start();
  }

  /** A workflow run and the length of its history. */
  private record Run(String runId, int events) {}

  /** The latest run of workflow {@code id}, as the embedded Temporal has it. */
  private static Run latestRun(int temporalPort, String id) {
    WorkflowServiceStubs stubs = TestTemporal.stubsAt(temporalPort);
    try {
      String runId =
          stubs
              .blockingStub()
              .describeWorkflowExecution(
                  DescribeWorkflowExecutionRequest.newBuilder()
                      .setNamespace("default")
                      .setExecution(WorkflowExecution.newBuilder().setWorkflowId(id))
                      .build())
              .getWorkflowExecutionInfo()
              .getExecution()
              .getRunId();
      int events = WorkflowClient.newInstance(stubs).fetchHistory(id, runId).getEvents().size();
      return new Run(runId, events);
    } finally {
      stubs.shutdownNow();
    }
  }

  private static String ping(int port) {
    return "http://127.0.0.1:" + port + "/v1/ping";
  }

  /** The admin key dev wrote into the data directory, as a script would read it. */
  private String adminKey() throws java.io.IOException {
    return DevKeys.read(work.resolve("pg")).get(Role.ADMIN);
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Authorization", "Bearer " + adminKey())
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(int port, String path, String json) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + adminKey())
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
