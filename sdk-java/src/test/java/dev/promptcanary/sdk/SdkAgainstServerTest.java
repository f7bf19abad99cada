package dev.promptcanary.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.promptcanary.activities.store.TestDatabases;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import dev.promptcanary.api.PromptCanaryConfiguration;
import dev.promptcanary.api.TestApps;
import dev.promptcanary.api.TestKeys;
import dev.promptcanary.api.auth.Role;
import dev.promptcanary.serving.Resolution;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.request.logging.LogbackAccessRequestLogFactory;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.temporal.testserver.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK against the real server: the embedded stack (API and worker over PostgreSQL, Temporal's
 * test server on a real port), on a fixed port so the tests can stop it and start it again under
 * the SDK's feet.
 */
class SdkAgainstServerTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final int TEMPORAL_PORT = TestApps.freePort();
  static final int PORT = TestApps.freePort();
  static TestServer.PortBoundTestServer temporal;
  static TestDatabase db;
  static DropwizardAppExtension<PromptCanaryConfiguration> server;

  @BeforeAll
  static void start() throws Exception {
    temporal = TestServer.createPortBoundServer(TEMPORAL_PORT, true);
    db = TestDatabases.fresh();
    startServer();
    for (String prompt : List.of("support", "rolled", "restart", "reporting")) {
      for (int v = 1; v <= 3; v++) {
        assertThat(
                send("POST", "/v1/prompts/" + prompt + "/versions", TestApps.version(v))
                    .statusCode())
            .isIn(200, 201);
      }
    }
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.after();
    }
    if (temporal != null) {
      temporal.close();
    }
  }

  static void startServer() throws Exception {
    server =
        TestApps.embedded(
            db,
            TEMPORAL_PORT,
            config -> {
              DefaultServerFactory factory = (DefaultServerFactory) config.getServerFactory();
              ((HttpConnectorFactory) factory.getApplicationConnectors().get(0)).setPort(PORT);
              // No access log: Dropwizard's default console request log wrote a line per request,
              // 100,000 of them (15 MB, twice over in surefire's output file and XML report) for
              // the comparison below. Nothing here reads it; the answers compared are unchanged.
              LogbackAccessRequestLogFactory requestLog = new LogbackAccessRequestLogFactory();
              requestLog.setAppenders(List.of());
              factory.setRequestLogFactory(requestLog);
            });
    server.before();
  }

  static void stopServer() {
    server.after();
    server = null;
  }

  static String url() {
    return "http://localhost:" + PORT;
  }

  static HttpResponse<String> send(String method, String path, String json) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url() + path))
            .header("Authorization", "Bearer " + TestKeys.key(db, Role.ADMIN))
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(60))
            .method(
                method,
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static void route(String prompt, int stable, Integer canary, int weightBp) throws Exception {
    HttpResponse<String> reply =
        send(
            "PUT",
            "/v1/prompts/" + prompt + "/routing",
            "{\"stableVersion\": %d, \"canaryVersion\": %s, \"canaryWeightBp\": %d, \"reason\": \"sdk test\"}"
                .formatted(stable, canary, weightBp));
    assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
  }

  static PromptCanary.Builder client() {
    return PromptCanary.builder()
        .url(url())
        .apiKey(TestKeys.key(db, Role.CLIENT))
        .maxBackoff(Duration.ofMillis(500))
        .startTimeout(Duration.ofSeconds(30));
  }

  @Test
  void localDecisionsEqualTheServersFor100000Units() throws Exception {
    route("support", 1, 2, 3000);
    try (PromptCanary sdk = client().build()) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> sdk.resolve("support", "probe").decision().canaryWeightBp() == 3000);
      int units = 100_000;
      int threads = 4;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<List<String>>> parts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int first = t;
        parts.add(
            pool.submit(
                () -> {
                  List<String> differences = new ArrayList<>();
                  String key = TestKeys.key(db, Role.CLIENT);
                  for (int i = first; i < units; i += threads) {
                    String unit = "session-" + i + (i % 7 == 0 ? "-ünï-🐤" : "");
                    // Every tenth request carries a pin: a served version, or one that is not.
                    Integer pin = i % 10 == 0 ? 1 + (i / 10) % 3 : null;
                    String query =
                        "unit="
                            + java.net.URLEncoder.encode(
                                unit, java.nio.charset.StandardCharsets.UTF_8)
                            + (pin == null ? "" : "&pin=" + pin);
                    HttpResponse<String> reply =
                        HTTP.send(
                            HttpRequest.newBuilder(
                                    URI.create(url() + "/v1/prompts/support/resolve?" + query))
                                .header("Authorization", "Bearer " + key)
                                .build(),
                            HttpResponse.BodyHandlers.ofString());
                    JsonNode s = JSON.readTree(reply.body());
                    Resolution mine = sdk.resolve("support", unit, pin).decision();
                    if (s.path("version").asInt() != mine.version()
                        || !s.path("arm").asText().equals(mine.arm().name())
                        || s.path("bucket").asInt() != mine.bucket()
                        || s.path("pinned").asBoolean() != mine.pinned()
                        || s.path("pinDropped").asBoolean() != mine.pinDropped()
                        || !s.path("note").asText("").equals(mine.note() == null ? "" : mine.note())
                        || !s.path("content")
                            .path("contentHash")
                            .asText()
                            .equals(mine.content().contentHash())) {
                      differences.add(unit + " pin " + pin + ": server " + s + ", sdk " + mine);
                    }
                  }
                  return differences;
                }));
      }
      List<String> differences = new ArrayList<>();
      for (Future<List<String>> part : parts) {
        differences.addAll(part.get());
      }
      pool.shutdown();
      assertThat(differences).isEmpty();
    }
  }

  @Test
  void aRolloutAbortedOnTheServerReachesAConnectedSdk() throws Exception {
    try (PromptCanary sdk = client().build()) {
      HttpResponse<String> started =
          send(
              "POST",
              "/v1/rollouts",
              "{\"prompt\": \"rolled\", \"candidateVersion\": 2, \"stages\": [{\"weightBp\": 5000,"
                  + " \"maxBakeSeconds\": 3600}]}");
      assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
      String id = JSON.readTree(started.body()).path("id").asText();
      List<String> units = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        units.add("user-" + i);
      }
      // The rollout's routing reaches the SDK: about half of the units on the candidate.
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> id.equals(sdk.resolve("rolled", "x").decision().rolloutId()));
      long onCanary =
          units.stream().filter(u -> sdk.resolve("rolled", u).decision().version() == 2).count();
      assertThat(onCanary).isBetween(120L, 280L);

      HttpResponse<String> aborted =
          send("POST", "/v1/rollouts/" + id + "/abort", "{\"reason\": \"sdk rollback test\"}");
      assertThat(aborted.statusCode()).as(aborted.body()).isLessThan(300);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  units.stream().allMatch(u -> sdk.resolve("rolled", u).decision().version() == 1));
      assertThat(sdk.health().connected()).isTrue();
    }
  }

  @Test
  void aServerRestartMidStreamIsSurvivedAndAStartWhileItIsDownServesTheSnapshotOnDisk(
      @TempDir Path dir) throws Exception {
    route("restart", 1, 2, 10_000);
    Path file = dir.resolve("routing.json");
    try (PromptCanary sdk = client().snapshotFile(file).build()) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> sdk.resolve("restart", "u").decision().version() == 2);
      assertThat(Files.exists(file)).isTrue();

      stopServer();
      try {
        await().atMost(Duration.ofSeconds(30)).until(() -> !sdk.health().connected());
        // Disconnected, it keeps serving what it knew, and says so.
        assertThat(sdk.resolve("restart", "u").decision().version()).isEqualTo(2);
        assertThat(sdk.health().stale()).isTrue();
        assertThat(sdk.health().lastError()).isNotNull();

        // A new client started while the server is down serves the snapshot on disk.
        try (PromptCanary fromDisk =
            client().snapshotFile(file).startTimeout(Duration.ofMillis(300)).build()) {
          assertThat(fromDisk.health().source()).isEqualTo(Health.Source.DISK);
          assertThat(fromDisk.health().connected()).isFalse();
          assertThat(fromDisk.resolve("restart", "u").decision().version()).isEqualTo(2);
        }
      } finally {
        startServer();
      }
      // Connected again with nothing changed, well before a long poll (20 s) would have ended:
      // after a failure the SDK asks without waiting.
      await().atMost(Duration.ofSeconds(10)).until(() -> sdk.health().connected());
      route("restart", 3, null, 0);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> sdk.resolve("restart", "u").decision().version() == 3);
    }
  }

  @Test
  void reportingWhileTheServerIsDownLosesNothingAndCountsNothingTwice() throws Exception {
    int before = 1_500;
    int during = 2_500;
    try (PromptCanary sdk = client().batchSize(200).build()) {
      for (int i = 0; i < before; i++) {
        sdk.report(observation(sdk, i));
      }
      assertThat(sdk.flush(Duration.ofSeconds(60))).isTrue();
      stopServer();
      try {
        for (int i = before; i < before + during; i++) {
          sdk.report(observation(sdk, i));
          if (i % 500 == 0) {
            Thread.sleep(1000); // the server stays down for a few seconds of traffic
          }
        }
        // The same request ids again, as an app retrying its own reports would send them.
        for (int i = 0; i < 100; i++) {
          sdk.report(observation(sdk, i));
        }
      } finally {
        startServer();
      }
      assertThat(sdk.flush(Duration.ofSeconds(120))).isTrue();
      Health health = sdk.health();
      assertThat(health.dropped()).isZero();
      assertThat(health.rejected()).isZero();
      assertThat(health.sent()).isEqualTo(before + during);
      assertThat(health.duplicates()).isEqualTo(100);
    }
    long stored =
        db.jdbi()
            .withHandle(
                h ->
                    h.select("SELECT count(*) FROM observations WHERE prompt = 'reporting'")
                        .mapTo(Long.class)
                        .one());
    assertThat(stored).isEqualTo(before + during);
  }

  static Observation observation(PromptCanary sdk, int i) {
    Resolved r = sdk.resolve("reporting", "session-" + i / 4);
    return r.observation().requestId("req-" + i).latencyMs(100 + i % 50).tokens(300, 90).build();
  }
}
