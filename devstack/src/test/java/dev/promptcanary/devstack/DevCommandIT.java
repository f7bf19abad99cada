package dev.promptcanary.devstack;

import dev.promptcanary.api.TestApps;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar's {@code dev} command, run as a user would: a real process, killed and started again. */
class DevCommandIT {
  private static final Path JAR = Path.of("target", "promptcanary.jar");
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir Path work;

  @Test
  void runsTheWholeStackAndKeepsItsDataAcrossARestart() throws Exception {
    int port = TestApps.freePort();
    int adminPort = TestApps.freePort();
    int temporalPort = TestApps.freePort();
    Path dataDir = work.resolve("pg");

    Process first = start(port, adminPort, temporalPort, dataDir, work.resolve("first.log"));
    try {
      awaitUp(port, first, work.resolve("first.log"));
      HttpResponse<String> created = post(port, "/v1/prompts/kept/versions", TestApps.version(1));
      assertThat(created.statusCode()).isEqualTo(201);
      JsonNode health = JSON.readTree(get(adminPort, "/healthcheck").body());
      assertThat(health.get("temporal").get("healthy").asBoolean()).isTrue();
      assertThat(health.get("postgresql").get("healthy").asBoolean()).isTrue();
    } finally {
      stop(first);
    }

    Process second = start(port, adminPort, temporalPort, dataDir, work.resolve("second.log"));
    try {
      awaitUp(port, second, work.resolve("second.log"));
      JsonNode version = JSON.readTree(get(port, "/v1/prompts/kept/versions/1").body());
      assertThat(version.get("author").asText()).isEqualTo("ana");
      JsonNode resolved = JSON.readTree(get(port, "/v1/prompts/kept/resolve?unit=u1").body());
      assertThat(resolved.get("version").asInt()).isEqualTo(1);
    } finally {
      stop(second);
    }
  }

  @Test
  void anUnfinishedRolloutResumesFromItsCheckpointAfterARestart() throws Exception {
    int port = TestApps.freePort();
    int adminPort = TestApps.freePort();
    int temporalPort = TestApps.freePort();
    Path dataDir = work.resolve("pg");
    String rolloutId;

    Process first = start(port, adminPort, temporalPort, dataDir, work.resolve("first.log"));
    try {
      awaitUp(port, first, work.resolve("first.log"));
      post(port, "/v1/prompts/resumed/versions", TestApps.version(1));
      post(port, "/v1/prompts/resumed/versions", TestApps.version(2));
      HttpResponse<String> started = post(port, "/v1/rollouts", """
          {"prompt": "resumed", "candidateVersion": 2, "startedBy": "it",
           "stages": [{"weightBp": 1000, "minJudgements": 100, "minBakeSeconds": 0, "maxBakeSeconds": 3600}]}""");
      assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
      rolloutId = JSON.readTree(started.body()).get("id").asText();
      awaitState(port, rolloutId, "CANARY", first, work.resolve("first.log"));
    } finally {
      stop(first);
    }

    // The embedded Temporal kept its history in memory only: the new process must rebuild the rollout from PostgreSQL.
    Process second = start(port, adminPort, temporalPort, dataDir, work.resolve("second.log"));
    try {
      awaitUp(port, second, work.resolve("second.log"));
      JsonNode rollout = awaitLive(port, rolloutId, second, work.resolve("second.log"));
      assertThat(rollout.get("state").asText()).isEqualTo("CANARY");
      assertThat(rollout.get("resumedFromRunId").asText()).isNotBlank();
      assertThat(rollout.get("live").get("timeline").findValuesAsText("event")).contains("stage 1 started", "resumed");
      assertThat(rollout.get("live").get("canaryWeightBp").asInt()).isEqualTo(1000);
      JsonNode routing = JSON.readTree(get(port, "/v1/prompts/resumed/routing").body());
      assertThat(routing.get("canaryWeightBp").asInt()).isEqualTo(1000);
      assertThat(routing.get("rolloutId").asText()).isEqualTo(rolloutId);

      HttpResponse<String> aborted = post(port, "/v1/rollouts/" + rolloutId + "/abort",
          "{\"actor\": \"it\", \"reason\": \"done\"}");
      assertThat(aborted.statusCode()).as(aborted.body()).isEqualTo(200);
      assertThat(JSON.readTree(get(port, "/v1/prompts/resumed/routing").body()).get("canaryWeightBp").asInt()).isZero();
    } finally {
      stop(second);
    }
  }

  private void awaitState(int port, String id, String state, Process process, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      JsonNode rollout = JSON.readTree(get(port, "/v1/rollouts/" + id).body());
      if (state.equals(rollout.get("state").asText())) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("rollout " + id + " did not reach " + state + ":\n" + Files.readString(log));
  }

  private JsonNode awaitLive(int port, String id, Process process, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    JsonNode rollout = null;
    while (System.nanoTime() < deadline) {
      rollout = JSON.readTree(get(port, "/v1/rollouts/" + id).body());
      if (rollout.hasNonNull("live") && rollout.hasNonNull("resumedFromRunId")) {
        return rollout;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("rollout " + id + " was not resumed: " + rollout + "\n" + Files.readString(log));
  }

  private Process start(int port, int adminPort, int temporalPort, Path dataDir, Path log) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(List.of(java, "-jar", JAR.toString(), "dev",
            "--port", String.valueOf(port), "--admin-port", String.valueOf(adminPort),
            "--temporal-port", String.valueOf(temporalPort), "--data-dir", dataDir.toString()))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  private void awaitUp(int port, Process process, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("dev exited early:\n" + Files.readString(log));
      }
      try {
        if (get(port, "/v1/ping").statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(250);
    }
    throw new AssertionError("dev did not come up within 120 s:\n" + Files.readString(log));
  }

  private static void stop(Process process) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(int port, String path, String json) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

}
