package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.rpc.Status;
import dev.promptcanary.activities.model.ModelEndpoint.Price;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import dev.promptcanary.api.TestApps.Http;
import dev.promptcanary.api.auth.Role;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * OTLP/HTTP trace ingest on the embedded stack, with payloads made by the OpenTelemetry Java SDK:
 * sessions of GenAI spans become observations and judgements in the version's metrics, a re-sent
 * export (in the other encoding too) counts nothing twice, spans that are not a prompt's are left
 * out and counted in the answer's partial success, a body that is not an export is a 400 in the
 * request's encoding, and spans alone (no other report) carry a rollout to its decision.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class OtlpIngestTest {
  static final EmbeddedStack APP =
      EmbeddedStack.embedded(
          config -> config.getOtlp().setPrices(Map.of("gpt-4o-mini", new Price(0.15, 0.60))));
  static final TestDatabase DB = APP.db();
  static final ObjectMapper JSON = new ObjectMapper();
  static final String PROTOBUF = "application/x-protobuf";
  final Http http = new Http(APP);
  final RolloutDriver rollouts = new RolloutDriver(http);
  final HttpClient client = HttpClient.newHttpClient();

  private String baseUrl() {
    return "http://localhost:" + APP.getLocalPort();
  }

  private String clientKey() {
    return TestKeys.key(DB, Role.CLIENT);
  }

  private HttpResponse<byte[]> post(String contentType, byte[] body, String key) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(baseUrl() + "/v1/otlp/v1/traces"))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private long count(String sql) {
    return DB.jdbi().withHandle(h -> h.select(sql).mapTo(Long.class).one());
  }

  private JsonNode versionMetrics(String prompt, int version) {
    JsonNode body =
        http.get("/v1/prompts/" + prompt + "/metrics?since=2000-01-01T00:00:00Z").body();
    for (JsonNode v : body.get("versions")) {
      if (v.get("version").asInt() == version) {
        return v;
      }
    }
    throw new AssertionError("no version " + version + " in " + body);
  }

  /**
   * {@code sessions} sessions of 2-5 calls each on {@code version}: the session's calls share their
   * latency level and score level (correlated within the session).
   */
  private static void sessions(
      OtlpSpans spans, String prompt, int version, int sessions, Random random, double shift) {
    Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS).minusSeconds(60);
    for (int s = 0; s < sessions; s++) {
      String session = prompt + "-v" + version + "-s" + s + "-" + random.nextInt(1_000_000);
      long latency = 400 + random.nextInt(300);
      double level = 0.75 + shift + random.nextGaussian() * 0.08;
      int calls = 2 + random.nextInt(4);
      for (int c = 0; c < calls; c++) {
        double score = Math.max(0, Math.min(1, level + random.nextGaussian() * 0.04));
        spans.call(
            new OtlpSpans.Call(
                prompt,
                version,
                session,
                start.plusMillis(s * 50L + c),
                latency + random.nextInt(50),
                300,
                90,
                false,
                score));
      }
    }
  }

  @Test
  void sessionsOfSpansExportedByTheSdkShowUpInTheVersionsMetrics() throws Exception {
    rollouts.twoVersions("otlp-metrics");
    Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS).minusSeconds(30);
    try (OtlpSpans spans = new OtlpSpans();
        OtlpHttpSpanExporter exporter = OtlpSpans.exporter(baseUrl(), clientKey(), "gzip")) {
      // 10 sessions of 4 calls on version 1 (one call in ten an error), 5 sessions of 2 on v2
      for (int s = 0; s < 10; s++) {
        for (int c = 0; c < 4; c++) {
          spans.call(
              new OtlpSpans.Call(
                  "otlp-metrics",
                  1,
                  "m-session-" + s,
                  start.plusMillis(100L * s + c),
                  800,
                  300,
                  100,
                  s * 4 + c < 4,
                  0.5));
        }
      }
      for (int s = 0; s < 5; s++) {
        for (int c = 0; c < 2; c++) {
          spans.call(
              new OtlpSpans.Call(
                  "otlp-metrics", 2, "m2-session-" + s, start, 1200, 500, 200, false, 0.9));
        }
      }
      List<SpanData> batch = spans.take();
      assertThat(batch).hasSize(50);
      assertThat(OtlpSpans.export(exporter, batch)).as("the SDK's export succeeds").isTrue();

      JsonNode v1 = versionMetrics("otlp-metrics", 1);
      assertThat(v1.get("observations").asLong()).isEqualTo(40);
      assertThat(v1.get("errorRate").asDouble()).isCloseTo(0.1, Offset.offset(1e-9));
      assertThat(v1.get("latencyP50Ms").asDouble()).isEqualTo(800.0);
      assertThat(v1.get("meanInputTokens").asDouble()).isEqualTo(300.0);
      assertThat(v1.get("meanOutputTokens").asDouble()).isEqualTo(100.0);
      // priced by the configured table: gpt-4o-mini-2024-07-18 by its prefix gpt-4o-mini
      assertThat(v1.get("meanCost").asDouble())
          .isCloseTo((300 * 0.15 + 100 * 0.60) / 1e6, Offset.offset(1e-12));
      assertThat(v1.get("judgements").asLong()).isEqualTo(40);
      assertThat(v1.get("meanScore").asDouble()).isCloseTo(0.5, Offset.offset(1e-9));
      JsonNode v2 = versionMetrics("otlp-metrics", 2);
      assertThat(v2.get("observations").asLong()).isEqualTo(10);
      assertThat(v2.get("latencyP50Ms").asDouble()).isEqualTo(1200.0);
      assertThat(v2.get("meanScore").asDouble()).isCloseTo(0.9, Offset.offset(1e-9));

      // the sessions are the units; each request id is the span's trace and span id in hex
      assertThat(
              count(
                  "SELECT count(DISTINCT unit) FROM observations WHERE prompt = 'otlp-metrics'"
                      + " AND version = 1"))
          .isEqualTo(10);
      SpanData first = batch.get(0);
      String requestId = first.getTraceId() + "-" + first.getSpanId();
      assertThat(
              count(
                  "SELECT count(*) FROM observations WHERE prompt = 'otlp-metrics'"
                      + " AND request_id = '"
                      + requestId
                      + "' AND unit = 'm-session-0'"))
          .isEqualTo(1);
      assertThat(
              count(
                  "SELECT count(*) FROM judgements WHERE prompt = 'otlp-metrics'"
                      + " AND request_id = '"
                      + requestId
                      + "' AND judge = 'sim-judge' AND unit = 'm-session-0'"))
          .isEqualTo(1);
    }
  }

  @Test
  void theSameSpansSentAgainAsJsonAndAsProtobufCountNothingTwice() throws Exception {
    rollouts.twoVersions("otlp-twice");
    try (OtlpSpans spans = new OtlpSpans()) {
      sessions(spans, "otlp-twice", 1, 12, new Random(7), 0);
      List<SpanData> batch = spans.take();

      HttpResponse<byte[]> asJson = post("application/json", OtlpSpans.json(batch), clientKey());
      assertThat(asJson.statusCode()).as(new String(asJson.body())).isEqualTo(200);
      assertThat(asJson.headers().firstValue("Content-Type").orElse(""))
          .startsWith("application/json");
      assertThat(JSON.readTree(asJson.body()).has("partialSuccess"))
          .as("every span was taken")
          .isFalse();
      long observations = count("SELECT count(*) FROM observations WHERE prompt = 'otlp-twice'");
      long judgements = count("SELECT count(*) FROM judgements WHERE prompt = 'otlp-twice'");
      assertThat(observations).isEqualTo(batch.size());
      assertThat(judgements).isEqualTo(batch.size());
      // hex ids read as hex: the request ids are the SDK's own trace and span ids
      assertThat(
              count(
                  "SELECT count(*) FROM observations WHERE prompt = 'otlp-twice' AND request_id = '"
                      + batch.get(3).getTraceId()
                      + "-"
                      + batch.get(3).getSpanId()
                      + "'"))
          .isEqualTo(1);

      HttpResponse<byte[]> again = post("application/json", OtlpSpans.json(batch), clientKey());
      assertThat(again.statusCode()).isEqualTo(200);
      HttpResponse<byte[]> asProtobuf = post(PROTOBUF, OtlpSpans.protobuf(batch), clientKey());
      assertThat(asProtobuf.statusCode()).isEqualTo(200);
      assertThat(asProtobuf.headers().firstValue("Content-Type").orElse("")).startsWith(PROTOBUF);
      assertThat(ExportTraceServiceResponse.parseFrom(asProtobuf.body()).hasPartialSuccess())
          .isFalse();
      assertThat(count("SELECT count(*) FROM observations WHERE prompt = 'otlp-twice'"))
          .isEqualTo(observations);
      assertThat(count("SELECT count(*) FROM judgements WHERE prompt = 'otlp-twice'"))
          .isEqualTo(judgements);
      assertThat(versionMetrics("otlp-twice", 1).get("observations").asLong())
          .isEqualTo(batch.size());
    }
  }

  @Test
  void spansThatAreNotAPromptsAreLeftOutAndCountedInThePartialSuccess() throws Exception {
    rollouts.twoVersions("otlp-partial");
    Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS).minusSeconds(10);
    try (OtlpSpans spans = new OtlpSpans()) {
      spans.unrelated(start);
      spans.unrelated(start);
      spans.call(new OtlpSpans.Call("otlp-partial", 1, "p-1", start, 500, 10, 10, false, 0.7));
      spans.call(new OtlpSpans.Call("otlp-partial", 9, "p-1", start, 500, 10, 10, false, 0.7));
      spans.call(new OtlpSpans.Call("otlp-partial", null, "p-2", start, 500, 10, 10, false, null));
      spans.call(new OtlpSpans.Call("otlp-partial", 2, "p-3", start, 500, 10, 10, false, 1.5));
      spans.call(new OtlpSpans.Call("otlp-partial", 2, "p-3", start, 500, 10, 10, true, null));
      List<SpanData> batch = spans.take();

      HttpResponse<byte[]> protobuf = post(PROTOBUF, OtlpSpans.protobuf(batch), clientKey());
      assertThat(protobuf.statusCode()).isEqualTo(200);
      var partial = ExportTraceServiceResponse.parseFrom(protobuf.body()).getPartialSuccess();
      assertThat(partial.getRejectedSpans()).isEqualTo(5);
      assertThat(partial.getErrorMessage())
          .contains("2 spans carry no promptcanary.prompt attribute")
          .contains("3 spans were refused")
          .contains("prompt 'otlp-partial' has no version 9")
          .contains("no promptcanary.version")
          .contains("sim-judge: the score: must be less than or equal to 1.0");
      // the two good spans, whole; nothing of the refused ones (the bad score's observation
      // neither)
      assertThat(count("SELECT count(*) FROM observations WHERE prompt = 'otlp-partial'"))
          .isEqualTo(2);
      assertThat(count("SELECT count(*) FROM judgements WHERE prompt = 'otlp-partial'"))
          .isEqualTo(1);
      assertThat(versionMetrics("otlp-partial", 2).get("errorRate").asDouble()).isEqualTo(1.0);

      HttpResponse<byte[]> json = post("application/json", OtlpSpans.json(batch), clientKey());
      assertThat(json.statusCode()).isEqualTo(200);
      JsonNode answer = JSON.readTree(json.body());
      assertThat(answer.at("/partialSuccess/rejectedSpans").asLong()).isEqualTo(5);
      assertThat(answer.at("/partialSuccess/errorMessage").asText()).contains("has no version 9");
    }
  }

  @Test
  void aBodyThatIsNotAnOtlpExportIsA400InTheRequestsEncoding() throws Exception {
    HttpResponse<byte[]> json =
        post(
            "application/json",
            "{\"resourceSpans\": [".getBytes(StandardCharsets.UTF_8),
            clientKey());
    assertThat(json.statusCode()).isEqualTo(400);
    JsonNode error = JSON.readTree(json.body());
    assertThat(error.get("code").asInt()).isEqualTo(400);
    assertThat(error.get("field").asText()).isEqualTo("body");
    assertThat(error.get("message").asText()).startsWith("the body is not JSON");

    String base64Ids =
        """
        {"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "W47/95gDgQPSabYzgT/GDA==",
          "spanId": "AQIDBAUGBwg=", "name": "chat"}]}]}]}""";
    HttpResponse<byte[]> notHex =
        post("application/json", base64Ids.getBytes(StandardCharsets.UTF_8), clientKey());
    assertThat(notHex.statusCode()).isEqualTo(400);
    JsonNode idError = JSON.readTree(notHex.body());
    assertThat(idError.get("field").asText())
        .isEqualTo("resourceSpans[0].scopeSpans[0].spans[0].traceId");
    assertThat(idError.get("message").asText()).contains("OTLP/JSON ids are hex");

    HttpResponse<byte[]> wrongType =
        post(
            "application/json",
            "{\"resourceSpans\": {\"spans\": 3}}".getBytes(StandardCharsets.UTF_8),
            clientKey());
    assertThat(wrongType.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(wrongType.body()).get("message").asText())
        .startsWith("the body is not an OTLP/JSON ExportTraceServiceRequest");

    HttpResponse<byte[]> protobuf =
        post(PROTOBUF, HexFormat.of().parseHex("0affffffff0f"), clientKey());
    assertThat(protobuf.statusCode()).isEqualTo(400);
    assertThat(protobuf.headers().firstValue("Content-Type").orElse("")).startsWith(PROTOBUF);
    Status status = Status.parseFrom(protobuf.body());
    assertThat(status.getCode()).isEqualTo(com.google.rpc.Code.INVALID_ARGUMENT_VALUE);
    assertThat(status.getMessage())
        .startsWith("body: the body is not an OTLP ExportTraceServiceRequest");

    HttpResponse<byte[]> noKey = post(PROTOBUF, new byte[0], null);
    assertThat(noKey.statusCode()).isEqualTo(401);
    assertThat(Status.parseFrom(noKey.body()).getCode())
        .isEqualTo(com.google.rpc.Code.UNAUTHENTICATED_VALUE);
    HttpResponse<byte[]> otherType = post("text/plain", new byte[] {1}, clientKey());
    assertThat(otherType.statusCode()).isEqualTo(415);
    assertThat(JSON.readTree(otherType.body()).get("field").asText()).isEqualTo("Content-Type");
    HttpResponse<byte[]> wildcard =
        client.send(
            HttpRequest.newBuilder(URI.create(baseUrl() + "/v1/otlp/v1/traces"))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "*/*")
                .header("Authorization", "Bearer " + clientKey())
                .method("DELETE", HttpRequest.BodyPublishers.ofByteArray(new byte[] {1}))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(wildcard.statusCode()).isEqualTo(405);
    assertThat(JSON.readTree(wildcard.body()).get("code").asInt())
        .as("a wildcard Content-Type is not a protobuf export: its error is JSON")
        .isEqualTo(405);

    HttpResponse<byte[]> empty = post(PROTOBUF, new byte[0], clientKey());
    assertThat(empty.statusCode()).as("an empty export is a success").isEqualTo(200);
  }

  /**
   * {@code examples/otlp-python/app.py}, an app instrumented with the OpenTelemetry Python SDK, run
   * against this stack: its spans, exported by the Python SDK's OTLP/HTTP exporter, are every
   * report it makes. Skipped (and says so) where {@code python3} (or {@code -Dpromptcanary.python})
   * cannot import the SDK and its exporter: {@code pip install opentelemetry-sdk
   * opentelemetry-exporter-otlp-proto-http}.
   */
  @Test
  void thePythonExampleAppReportsByOtlpAlone() throws Exception {
    String python = System.getProperty("promptcanary.python", "python3");
    Assumptions.assumeTrue(
        pythonHasOpenTelemetry(python),
        python
            + " cannot import the OpenTelemetry SDK and its OTLP/HTTP exporter (pip install"
            + " opentelemetry-sdk opentelemetry-exporter-otlp-proto-http): the Python example is"
            + " not run");
    rollouts.twoVersions("otlp-python");
    java.nio.file.Path script =
        java.nio.file.Path.of("..", "examples", "otlp-python", "app.py").toAbsolutePath();
    java.nio.file.Path log = java.nio.file.Path.of("target", "otlp-python-example.log");
    ProcessBuilder builder =
        new ProcessBuilder(python, script.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("PROMPTCANARY_URL", baseUrl());
    builder.environment().put("PROMPTCANARY_API_KEY", clientKey());
    builder.environment().put("PROMPT", "otlp-python");
    builder.environment().put("SESSIONS", "4");
    builder.environment().remove("MODEL_BASE_URL");
    Process app = builder.start();
    try {
      assertThat(app.waitFor(120, java.util.concurrent.TimeUnit.SECONDS))
          .as("the example app ends")
          .isTrue();
    } finally {
      app.destroyForcibly();
    }
    String output = java.nio.file.Files.readString(log);
    assertThat(app.exitValue()).as(output).isZero();
    assertThat(output).contains("reported 12 calls in 4 sessions");
    assertThat(count("SELECT count(*) FROM observations WHERE prompt = 'otlp-python'"))
        .as(output)
        .isEqualTo(12);
    assertThat(count("SELECT count(DISTINCT unit) FROM observations WHERE prompt = 'otlp-python'"))
        .isEqualTo(4);
    assertThat(
            count(
                "SELECT count(*) FROM judgements WHERE prompt = 'otlp-python'"
                    + " AND judge = 'example-judge'"))
        .isEqualTo(12);
  }

  private static boolean pythonHasOpenTelemetry(String python) {
    try {
      Process check =
          new ProcessBuilder(
                  python,
                  "-c",
                  "import opentelemetry.sdk.trace,"
                      + " opentelemetry.exporter.otlp.proto.http.trace_exporter")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      return check.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && check.exitValue() == 0;
    } catch (java.io.IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Test
  void spansAloneCarryARolloutToItsDecision() throws Exception {
    rollouts.twoVersions("otlp-rollout");
    String id =
        rollouts.startRollout(
            "otlp-rollout",
            "[{\"weightBp\": 5000, \"minJudgements\": 50, \"minBakeSeconds\": 0, \"maxBakeSeconds\": 600}]");
    rollouts.awaitRollout(id, r -> r.get("state").asText().equals("CANARY"), 30_000);
    Random random = new Random(42);
    try (OtlpSpans spans = new OtlpSpans();
        OtlpHttpSpanExporter exporter = OtlpSpans.exporter(baseUrl(), clientKey(), "none")) {
      rollouts.trafficUntil(
          id,
          state -> !state.equals("CANARY"),
          90,
          round -> {
            // each session resolves once and makes its calls on the version it was given; the
            // candidate is worse by a tenth
            for (int s = 0; s < 60; s++) {
              String unit = "otlp-r" + round + "-s" + s;
              int version =
                  http.get("/v1/prompts/otlp-rollout/resolve?unit=" + unit)
                      .body()
                      .get("version")
                      .asInt();
              double level = 0.8 + (version == 2 ? -0.10 : 0) + random.nextGaussian() * 0.08;
              long latency = 400 + random.nextInt(300);
              int calls = 2 + random.nextInt(4);
              Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS);
              for (int c = 0; c < calls; c++) {
                spans.call(
                    new OtlpSpans.Call(
                        "otlp-rollout",
                        version,
                        unit,
                        start.plusMillis(c),
                        latency + random.nextInt(50),
                        300,
                        90,
                        false,
                        Math.max(0, Math.min(1, level + random.nextGaussian() * 0.04))));
              }
            }
            assertThat(OtlpSpans.export(exporter, spans.take())).isTrue();
          });
    }
    JsonNode rollout =
        rollouts.awaitRollout(id, r -> !r.get("state").asText().equals("CANARY"), 30_000);
    assertThat(rollout.get("state").asText()).as(rollout.toString()).isEqualTo("ROLLED_BACK");
    assertThat(rollout.get("reason").asText()).contains("quality");
    assertThat(count("SELECT count(*) FROM judgements WHERE prompt = 'otlp-rollout'"))
        .isEqualTo(count("SELECT count(*) FROM observations WHERE prompt = 'otlp-rollout'"))
        .isPositive();
  }
}
