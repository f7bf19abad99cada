package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
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
    int port = freePort();
    int adminPort = freePort();
    int temporalPort = freePort();
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

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
