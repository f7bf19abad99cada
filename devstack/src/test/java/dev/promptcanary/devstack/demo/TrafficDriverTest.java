package dev.promptcanary.devstack.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.promptcanary.testkit.ModelSimulator;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The demo's simulated users against a fake promptcanary (a loopback HTTP server that routes units
 * by its own hash and records what is reported) and the real model SIMULATOR: every session is
 * served and reported under the version resolve named for its unit, with that version's content,
 * and transcripts are sampled by one rule for every arm.
 */
class TrafficDriverTest {
  private static final String V1_SYSTEM = "[sim quality=0.10] You are agent one.";
  private static final String V2_SYSTEM = "[sim quality=0.90 error_rate=0.2] You are agent two.";

  private HttpServer api;
  private ModelSimulator simulator;
  private final Map<String, Integer> resolvedUnits = new ConcurrentHashMap<>();
  private final Map<String, Integer> resolveCalls = new ConcurrentHashMap<>();
  private final List<JsonNode> observations = new ArrayList<>();
  private final List<JsonNode> transcripts = new ArrayList<>();

  @BeforeEach
  void start() throws IOException {
    simulator = ModelSimulator.start(0);
    api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    api.createContext("/v1/prompts/shop/resolve", this::resolve);
    api.createContext(
        "/v1/observations", exchange -> record(exchange, "observations", observations, "{}"));
    api.createContext(
        "/v1/transcripts",
        exchange ->
            record(exchange, "transcripts", transcripts, "{\"queued\": 1, \"dropped\": 0}"));
    api.start();
  }

  @AfterEach
  void stop() {
    api.stop(0);
    simulator.close();
  }

  /** 30% of units (by this server's own hash, unknown to the driver) get v2. */
  private static int assignment(String unit) {
    return Math.floorMod(unit.hashCode() * 31 + 7, 10) < 3 ? 2 : 1;
  }

  private void resolve(HttpExchange exchange) throws IOException {
    String unit = exchange.getRequestURI().getQuery().replaceFirst("^unit=", "");
    int version = assignment(unit);
    resolvedUnits.put(unit, version);
    resolveCalls.merge(unit, 1, Integer::sum);
    ObjectNode body =
        JsonHttp.JSON.createObjectNode().put("prompt", "shop").put("version", version);
    ObjectNode content =
        body.putObject("content")
            .put("version", version)
            .putObject("content")
            .put("systemPrompt", version == 2 ? V2_SYSTEM : V1_SYSTEM)
            .put("template", "Customer {{name}} (order {{order}}) asks: {{question}}")
            .put("model", "sim-model");
    content.putArray("fewShot").addObject().put("user", "hi").put("assistant", "hello");
    content.putObject("parameters").put("temperature", 0.2);
    send(exchange, body.toString());
  }

  private void record(HttpExchange exchange, String key, List<JsonNode> into, String answer)
      throws IOException {
    JsonNode batch = JsonHttp.JSON.readTree(exchange.getRequestBody().readAllBytes());
    synchronized (into) {
      batch.path(key).forEach(into::add);
    }
    send(exchange, answer);
  }

  private static void send(HttpExchange exchange, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Test
  void servesAndReportsEverySessionUnderTheVersionResolveNamedAndSamplesTranscriptsAlikeInBothArms()
      throws Exception {
    JsonHttp apiClient =
        new JsonHttp(
            URI.create("http://127.0.0.1:" + api.getAddress().getPort()), Duration.ofSeconds(10));
    JsonHttp modelClient = new JsonHttp(simulator.baseUrl(), Duration.ofSeconds(10));
    TrafficDriver driver =
        new TrafficDriver(
            apiClient, modelClient, new TrafficDriver.Options("shop", 3, 400, 0.5, 42));
    driver.start();
    await("600 sessions resolved")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> resolvedUnits.size() >= 600);
    driver.close();

    assertThat(driver.failedCalls()).as(String.valueOf(driver.lastFailure())).isZero();
    assertThat(observations).hasSizeGreaterThanOrEqualTo(600);
    // One resolve per session, and every session reported once, under the version resolve gave its
    // unit.
    assertThat(resolveCalls.values()).containsOnly(1);
    Map<String, JsonNode> byRequest = new HashMap<>();
    for (JsonNode o : observations) {
      String unit = o.path("unit").asText();
      assertThat(o.path("version").asInt()).as(unit).isEqualTo(resolvedUnits.get(unit));
      assertThat(o.path("prompt").asText()).isEqualTo("shop");
      assertThat(o.path("latencyMs").asDouble()).isPositive();
      assertThat(byRequest.put(o.path("requestId").asText(), o)).isNull();
    }
    assertThat(byRequest.keySet()).hasSameSizeAs(resolvedUnits.keySet());

    // The model was called with the resolved version's content: its answers carry that version's
    // hidden quality.
    for (JsonNode t : transcripts) {
      JsonNode o = byRequest.get(t.path("requestId").asText());
      assertThat(o).isNotNull();
      assertThat(t.path("version").asInt()).isEqualTo(o.path("version").asInt());
      assertThat(t.path("output").asText())
          .contains(o.path("version").asInt() == 2 ? "[sim-quality=0.90]" : "[sim-quality=0.10]");
      assertThat(t.path("input").asText()).startsWith("Customer ").contains(" asks: ");
    }

    // Errors are reported as errors and never judged; the rest is judged by one rule, whatever the
    // arm.
    long v2Errors =
        observations.stream()
            .filter(o -> o.path("version").asInt() == 2)
            .filter(o -> o.path("error").asBoolean())
            .count();
    assertThat(v2Errors).isPositive();
    assertThat(
            observations.stream()
                .filter(o -> o.path("version").asInt() == 1)
                .noneMatch(o -> o.path("error").asBoolean()))
        .isTrue();
    List<String> expected =
        observations.stream()
            .filter(o -> !o.path("error").asBoolean())
            .map(o -> o.path("requestId").asText())
            .filter(id -> TrafficDriver.sampled(id, 0.5))
            .sorted()
            .toList();
    assertThat(transcripts.stream().map(t -> t.path("requestId").asText()).sorted().toList())
        .isEqualTo(expected);
    for (int version : new int[] {1, 2}) {
      long answered =
          observations.stream()
              .filter(o -> o.path("version").asInt() == version && !o.path("error").asBoolean())
              .count();
      long judged = transcripts.stream().filter(t -> t.path("version").asInt() == version).count();
      assertThat((double) judged / answered)
          .as("judged share of v" + version)
          .isBetween(0.38, 0.62);
    }
    assertThat(driver.counts().get(2).errors()).isEqualTo(v2Errors);
    assertThat(
            driver.counts().values().stream()
                .mapToLong(TrafficDriver.VersionCounts::sessions)
                .sum())
        .isEqualTo(observations.size());
  }

  @Test
  void rendersTheTemplateAndTheFewShotExamplesAsChatMessages() {
    JsonNode content =
        JsonHttp.JSON
            .createObjectNode()
            .put("systemPrompt", "sys")
            .put("template", "Hi {{ name }}, {{q}}")
            .set(
                "fewShot",
                JsonHttp.JSON
                    .createArrayNode()
                    .add(
                        JsonHttp.JSON.createObjectNode().put("user", "u1").put("assistant", "a1")));
    JsonNode messages =
        TrafficDriver.messages(content, Map.of("name", "Kim", "q", "where is it? $1"));
    assertThat(messages.findValuesAsText("role"))
        .containsExactly("system", "user", "assistant", "user");
    assertThat(messages.get(3).path("content").asText()).isEqualTo("Hi Kim, where is it? $1");
  }
}
