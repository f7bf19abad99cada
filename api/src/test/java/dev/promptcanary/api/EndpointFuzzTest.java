package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.promptcanary.activities.store.TestDatabases;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import dev.promptcanary.api.auth.Role;
import io.dropwizard.testing.DropwizardTestSupport;
import io.temporal.testserver.TestServer;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * A property-based fuzz of every endpoint (issue 12): generated bodies (each a valid request with
 * some fields removed, retyped or replaced by huge, deeply nested, non-finite, NUL-holding, SQL or
 * path-like values, unknown fields added, or the bytes made invalid UTF-8), query strings and path
 * segments. Every answer must be below 500; every 4xx must be the documented error shape {@code
 * {"code","message","field"}} with {@code code} equal to the status; and a refused request must
 * leave every table's row count as it was.
 *
 * <p>The API runs against real PostgreSQL and a real Temporal test server with no worker, so a
 * valid rollout starts (and nothing runs in the background to write rows); live judging points at a
 * closed port, and the fuzz waits after an accepted transcript for the pool to settle. Rate limits
 * are off here (RateLimitApiTest covers them). Tries per property: {@code jqwik.tries.default} (40
 * in the build, set in junit-platform.properties; larger runs pass {@code
 * -Djqwik.tries.default=N}).
 */
class EndpointFuzzTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NAN_TOKEN = "\u0001NaN\u0001";
  private static final String BAD_UTF8_TOKEN = "\u0001BADUTF8\u0001";
  private static final AtomicLong REQUESTS = new AtomicLong();
  private static TestServer.PortBoundTestServer temporal;
  private static TestDatabase db;
  private static DropwizardTestSupport<PromptCanaryConfiguration> app;
  private static HttpClient client;

  @BeforeContainer
  static void start() throws Exception {
    int temporalPort = TestApps.freePort();
    temporal = TestServer.createPortBoundServer(temporalPort, true);
    db = TestDatabases.fresh();
    PromptCanaryConfiguration config = TestApps.config(db);
    config.getTemporal().setTarget("localhost:" + temporalPort);
    config.setEmbeddedTemporal(true);
    config.getLimits().getIngest().setEnabled(false);
    config.getLimits().getControls().setEnabled(false);
    config.getJudge().setEnabled(true);
    config.getJudge().setBaseUrl("http://127.0.0.1:1/v1");
    config.getJudge().setMaxRetries(0);
    app = new DropwizardTestSupport<>(PromptCanaryApplication.class, config);
    app.before();
    client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    for (int v = 1; v <= 2; v++) {
      assertThat(send("POST", "/v1/prompts/chat/versions", TestApps.version(v).getBytes()).status)
          .isEqualTo(201);
    }
    assertThat(send("POST", "/v1/eval-suites", json(suite()).getBytes()).status).isEqualTo(201);
  }

  @AfterContainer
  static void stop() {
    System.out.println("EndpointFuzzTest: " + REQUESTS.get() + " requests");
    if (app != null) {
      app.after();
    }
    if (temporal != null) {
      temporal.close();
    }
  }

  // ---- properties: one per endpoint ----

  @Property
  void createVersion(@ForAll("versionBodies") byte[] body, @ForAll("promptNames") String name) {
    check("POST", "/v1/prompts/" + name + "/versions", body);
  }

  @Property
  void observations(@ForAll("observationBodies") byte[] body) {
    check("POST", "/v1/observations", body);
  }

  @Property
  void judgements(@ForAll("judgementBodies") byte[] body) {
    check("POST", "/v1/judgements", body);
  }

  @Property
  void metrics(@ForAll("metricBodies") byte[] body) {
    check("POST", "/v1/metrics", body);
  }

  @Property
  void transcripts(@ForAll("transcriptBodies") byte[] body) {
    check("POST", "/v1/transcripts", body);
  }

  @Property
  void otlpTraces(@ForAll("otlpBodies") byte[] body) {
    check("POST", "/v1/otlp/v1/traces", body);
  }

  @Property
  void evalSuites(@ForAll("suiteBodies") byte[] body) {
    check("POST", "/v1/eval-suites", body);
  }

  @Property
  void manualRouting(@ForAll("routingBodies") byte[] body, @ForAll("promptNames") String name) {
    check("PUT", "/v1/prompts/" + name + "/routing", body);
  }

  @Property
  void startRollout(@ForAll("rolloutBodies") byte[] body) {
    check("POST", "/v1/rollouts", body);
  }

  @Property
  void startEval(@ForAll("evalBodies") byte[] body) {
    check("POST", "/v1/evals", body);
  }

  @Property
  void rolloutControl(
      @ForAll("controlBodies") byte[] body,
      @ForAll("segments") String id,
      @ForAll("actions") String action) {
    check("POST", "/v1/rollouts/" + id + "/" + action, body);
  }

  @Property
  void keys(@ForAll("controlBodies") byte[] body, @ForAll("segments") String id) {
    check("POST", "/v1/keys", body);
    check("POST", "/v1/keys/" + id + "/rotate", body);
    check("DELETE", "/v1/keys/" + id, null);
  }

  @Property
  void reads(@ForAll("readPaths") String path, @ForAll("queries") String query) {
    check("GET", path + query, null);
  }

  @Property
  void wrongMethodsAndTypes(
      @ForAll("anyPaths") String path,
      @ForAll("methods") String method,
      @ForAll("contentTypes") String contentType,
      @ForAll("observationBodies") byte[] body) {
    Reply reply = sendTyped(method, path, contentType, body);
    verify(method + " " + path + " as " + contentType, reply, -1);
  }

  // ---- the checks ----

  private static void check(String method, String path, byte[] body) {
    long before = Rows.total(db.jdbi());
    Reply reply = send(method, path, body);
    String what = method + " " + path + (body == null ? "" : " " + preview(body));
    verify(what, reply, before);
    if (reply.status < 300 && path.startsWith("/v1/transcripts")) {
      settleJudgePool();
    }
  }

  private static void verify(String what, Reply reply, long rowsBefore) {
    assertThat(reply.status).as(what + " answered " + reply.body).isLessThan(500);
    if (reply.status >= 400
        && what.startsWith("GET /ui/")
        && reply.body.startsWith("<!DOCTYPE html>")) {
      // The web pages answer their own errors as HTML pages for a browser (PagesResource), by
      // design.
      assertRowsUnchanged(what, reply, rowsBefore);
    } else if (reply.status >= 400) {
      JsonNode error;
      try {
        error = JSON.readTree(reply.body);
      } catch (Exception e) {
        throw new AssertionError(what + ": a " + reply.status + " that is not JSON: " + reply.body);
      }
      assertThat(error.isObject()).as(what + ": " + reply.body).isTrue();
      assertThat(error.path("code").asInt()).as(what + ": " + reply.body).isEqualTo(reply.status);
      assertThat(error.path("message").isTextual()).as(what + ": " + reply.body).isTrue();
      assertThat(error.has("field")).as(what + ": " + reply.body).isTrue();
      assertRowsUnchanged(what, reply, rowsBefore);
    }
  }

  private static void assertRowsUnchanged(String what, Reply reply, long rowsBefore) {
    if (rowsBefore >= 0) {
      assertThat(Rows.total(db.jdbi()))
          .as(what + " was refused (" + reply.status + ") but wrote rows")
          .isEqualTo(rowsBefore);
    }
  }

  /**
   * An accepted transcript is judged (and fails, the judge being unreachable) in the background.
   */
  private static void settleJudgePool() {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              JsonNode gauges =
                  JSON.readTree(
                          client
                              .send(
                                  HttpRequest.newBuilder(
                                          URI.create(
                                              "http://localhost:"
                                                  + app.getAdminPort()
                                                  + "/metrics"))
                                      .build(),
                                  HttpResponse.BodyHandlers.ofString())
                              .body())
                      .path("gauges");
              long accepted = gauge(gauges, "accepted");
              return gauge(gauges, "queued") == 0
                  && accepted
                      == gauge(gauges, "judged")
                          + gauge(gauges, "failures")
                          + gauge(gauges, "writeFailures");
            });
  }

  private static long gauge(JsonNode gauges, String name) {
    return gauges.path("promptcanary.judge." + name).path("value").asLong();
  }

  record Reply(int status, String body) {}

  private static Reply send(String method, String path, byte[] body) {
    return sendTyped(method, path, "application/json", body);
  }

  private static Reply sendTyped(String method, String path, String contentType, byte[] body) {
    REQUESTS.incrementAndGet();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://localhost:" + app.getLocalPort() + path))
            .timeout(Duration.ofSeconds(60))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    if (body != null) {
      request.header("Content-Type", contentType);
    }
    // An admin key, so the fuzz reaches every endpoint's validation rather than stopping at 401.
    request.header("Authorization", "Bearer " + TestKeys.key(db, Role.ADMIN));
    try {
      HttpResponse<String> response =
          client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Reply(response.statusCode(), response.body());
    } catch (java.io.IOException | InterruptedException e) {
      throw new AssertionError(method + " " + path + ": no answer", e);
    }
  }

  private static String preview(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8);
    return text.length() > 300 ? text.substring(0, 300) + "... (" + body.length + " bytes)" : text;
  }

  // ---- generators ----

  /** Values that are wrong in some way, or right but extreme. */
  private static Arbitrary<Object> hostile() {
    return Arbitraries.oneOf(
        Arbitraries.of(
            (Object) null,
            true,
            0,
            -1,
            Long.MAX_VALUE,
            Long.MIN_VALUE,
            1e200,
            -1e200,
            1e-300,
            Double.MAX_VALUE,
            "",
            " ",
            "\u0000",
            "a\u0000b",
            "'; DROP TABLE observations; --",
            "1 OR 1=1",
            "../../../etc/passwd",
            "..%2F..%2F",
            "%00",
            "\\u0000",
            "${jndi:ldap://x}",
            "\ud800",
            "\u202e\u0007\u001f",
            "<script>alert(1)</script>",
            "9999-12-31T23:59:59Z",
            "+200000-01-01T00:00:00Z",
            "-100000-01-01T00:00:00Z",
            "1970-01-01T00:00:00Z",
            "2026-02-30T00:00:00Z",
            NAN_TOKEN,
            BAD_UTF8_TOKEN,
            List.of(),
            Map.of(),
            Map.of("a", List.of(1, "b", Map.of()))),
        Arbitraries.strings().ofMinLength(0).ofMaxLength(40).map(s -> (Object) s),
        Arbitraries.strings().withChars('x', 'y').ofLength(1).map(s -> (Object) s.repeat(300)),
        Arbitraries.integers().between(10_000, 200_000).map(n -> (Object) "z".repeat(n)),
        Arbitraries.doubles().map(d -> (Object) d),
        Arbitraries.integers().map(i -> (Object) i),
        Arbitraries.integers().between(1, 120).map(EndpointFuzzTest::nested));
  }

  private static Object nested(int depth) {
    Object value = "deep";
    for (int i = 0; i < depth; i++) {
      value = i % 2 == 0 ? List.of(value) : Map.of("k", value);
    }
    return value;
  }

  /**
   * {@code valid} with some of its fields (at any depth) removed, retyped or replaced, maybe an
   * unknown field added, serialised; sometimes the raw bytes are cut or made invalid UTF-8.
   */
  private static Arbitrary<byte[]> mutated(Map<String, Object> valid) {
    Arbitrary<List<Object>> replacements = hostile().list().ofMinSize(1).ofMaxSize(3);
    Arbitrary<Integer> seeds = Arbitraries.integers();
    Arbitrary<Integer> shapes = Arbitraries.integers().between(0, 99);
    return Combinators.combine(replacements, seeds, shapes)
        .as(
            (values, seed, shape) -> {
              java.util.Random random = new java.util.Random(seed);
              Object body = deepCopy(valid);
              if (shape >= 8) {
                for (Object value : values) {
                  mutate(body, value, random);
                }
              }
              if (shape % 7 == 0 && body instanceof Map<?, ?> map) {
                @SuppressWarnings("unchecked")
                Map<String, Object> top = (Map<String, Object>) map;
                top.put("unexpected" + random.nextInt(3), deepCopy(values.get(0)));
              }
              byte[] bytes = serialise(body);
              if (shape == 1) {
                return java.util.Arrays.copyOf(
                    bytes, Math.max(0, bytes.length - 1 - random.nextInt(5)));
              }
              if (shape == 2) {
                return "[]".getBytes();
              }
              if (shape == 3) {
                return "null".getBytes();
              }
              return bytes;
            });
  }

  @SuppressWarnings("unchecked")
  private static void mutate(Object node, Object value, java.util.Random random) {
    if (node instanceof Map<?, ?> map && !map.isEmpty()) {
      Map<String, Object> m = (Map<String, Object>) map;
      List<String> keys = new ArrayList<>(m.keySet());
      String key = keys.get(random.nextInt(keys.size()));
      Object child = m.get(key);
      int choice = random.nextInt(10);
      if ((child instanceof Map || child instanceof List) && choice < 5) {
        mutate(child, value, random);
      } else if (choice == 5) {
        m.remove(key);
      } else {
        m.put(key, deepCopy(value));
      }
    } else if (node instanceof List<?> list && !list.isEmpty()) {
      List<Object> l = (List<Object>) list;
      int i = random.nextInt(l.size());
      Object child = l.get(i);
      if ((child instanceof Map || child instanceof List) && random.nextBoolean()) {
        mutate(child, value, random);
      } else if (random.nextInt(4) == 0) {
        l.add(deepCopy(value));
      } else {
        l.set(i, deepCopy(value));
      }
    }
  }

  private static Object deepCopy(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> copy.put(String.valueOf(k), deepCopy(v)));
      return copy;
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>();
      list.forEach(v -> copy.add(deepCopy(v)));
      return copy;
    }
    return value;
  }

  /** JSON, with the tokens JSON cannot carry put in as raw text: NaN and invalid UTF-8. */
  private static byte[] serialise(Object body) {
    String text = json(body);
    String nan = JSON.valueToTree(NAN_TOKEN).toString();
    String bad = JSON.valueToTree(BAD_UTF8_TOKEN).toString();
    text = text.replace(nan, "NaN");
    String[] parts = text.split(java.util.regex.Pattern.quote(bad), -1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        out.writeBytes(new byte[] {'"', (byte) 0xC3, (byte) 0x28, (byte) 0xFF, '"'});
      }
      out.writeBytes(parts[i].getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  private static Map<String, Object> suite() {
    return map(
        "name",
        "fuzz-suite",
        "author",
        "ana",
        "gate",
        map("minPassRate", 0.5),
        "cases",
        List.of(
            map(
                "id",
                "c1",
                "variables",
                map("question", "hi"),
                "assertions",
                List.of(
                    map("type", "contains", "value", "a"),
                    map("type", "json_schema", "schema", map("type", "object")),
                    map("type", "regex", "pattern", "^a.*$")))));
  }

  @Provide
  Arbitrary<byte[]> versionBodies() {
    return mutated(
        map(
            "systemPrompt",
            "s",
            "fewShot",
            List.of(map("user", "u", "assistant", "a")),
            "template",
            "Hi {{name}}",
            "model",
            "m",
            "parameters",
            map("temperature", 0.2, "stop", List.of("x")),
            "author",
            "ana"));
  }

  private static Map<String, Object> attribute(String key, String type, Object value) {
    return map("key", key, "value", map(type, value));
  }

  /** An OTLP/JSON trace export of one prompt's span with a judge's evaluation event. */
  @Provide
  Arbitrary<byte[]> otlpBodies() {
    return mutated(
        map(
            "resourceSpans",
            List.of(
                map(
                    "resource",
                    map("attributes", List.of(attribute("service.name", "stringValue", "fuzz"))),
                    "scopeSpans",
                    List.of(
                        map(
                            "scope",
                            map("name", "fuzz"),
                            "spans",
                            List.of(
                                map(
                                    "traceId",
                                    "5b8efff798038103d269b633813fc60c",
                                    "spanId",
                                    "eee19b7ec3c1b174",
                                    "name",
                                    "chat",
                                    "kind",
                                    3,
                                    "startTimeUnixNano",
                                    "1796083200000000000",
                                    "endTimeUnixNano",
                                    "1796083200800000000",
                                    "attributes",
                                    List.of(
                                        attribute("promptcanary.prompt", "stringValue", "chat"),
                                        attribute("promptcanary.version", "intValue", "1"),
                                        attribute("session.id", "stringValue", "u1"),
                                        attribute("gen_ai.usage.input_tokens", "intValue", 3),
                                        attribute("gen_ai.request.model", "stringValue", "m")),
                                    "events",
                                    List.of(
                                        map(
                                            "name",
                                            "gen_ai.evaluation.result",
                                            "timeUnixNano",
                                            "1796083201000000000",
                                            "attributes",
                                            List.of(
                                                attribute(
                                                    "gen_ai.evaluation.name", "stringValue", "j"),
                                                attribute(
                                                    "gen_ai.evaluation.score.value",
                                                    "doubleValue",
                                                    0.5)))),
                                    "status",
                                    map("code", 1)))))))));
  }

  @Provide
  Arbitrary<byte[]> observationBodies() {
    return mutated(
        map(
            "observations",
            List.of(
                map(
                    "requestId",
                    "r1",
                    "prompt",
                    "chat",
                    "version",
                    1,
                    "unit",
                    "u1",
                    "observedAt",
                    "2026-11-30T00:00:00Z",
                    "latencyMs",
                    10.5,
                    "inputTokens",
                    3,
                    "outputTokens",
                    4,
                    "cost",
                    0.001,
                    "error",
                    false,
                    "safetyFlag",
                    false,
                    "feedback",
                    1),
                map(
                    "requestId",
                    "r2",
                    "prompt",
                    "chat",
                    "version",
                    2,
                    "latencyMs",
                    1,
                    "error",
                    true,
                    "safetyFlag",
                    false))));
  }

  @Provide
  Arbitrary<byte[]> judgementBodies() {
    return mutated(
        map(
            "judgements",
            List.of(
                map(
                    "requestId",
                    "r1",
                    "prompt",
                    "chat",
                    "version",
                    1,
                    "judge",
                    "j/1",
                    "score",
                    0.5,
                    "judgedAt",
                    "2026-11-30T00:00:00Z",
                    "unit",
                    "u1",
                    "servedAt",
                    "2026-11-30T00:00:00Z"))));
  }

  @Provide
  Arbitrary<byte[]> metricBodies() {
    return mutated(
        map(
            "metrics",
            List.of(
                map(
                    "prompt",
                    "chat",
                    "version",
                    1,
                    "unit",
                    "u1",
                    "requestId",
                    "r1",
                    "name",
                    "resolved",
                    "value",
                    1,
                    "observedAt",
                    "2026-11-30T00:00:00Z"))));
  }

  @Provide
  Arbitrary<byte[]> transcriptBodies() {
    return mutated(
        map(
            "transcripts",
            List.of(
                map(
                    "requestId",
                    "t1",
                    "prompt",
                    "chat",
                    "version",
                    1,
                    "unit",
                    "u1",
                    "input",
                    "question",
                    "output",
                    "answer"))));
  }

  @Provide
  Arbitrary<byte[]> suiteBodies() {
    return mutated(suite());
  }

  @Provide
  Arbitrary<byte[]> routingBodies() {
    return mutated(
        map(
            "stableVersion",
            1,
            "canaryVersion",
            2,
            "canaryWeightBp",
            100,
            "actor",
            "ana",
            "reason",
            "manual canary"));
  }

  @Provide
  Arbitrary<byte[]> evalBodies() {
    return mutated(
        map(
            "suite",
            "fuzz-suite",
            "prompt",
            "chat",
            "candidateVersion",
            2,
            "baselineVersion",
            1,
            "requestId",
            "fuzz-1"));
  }

  @Provide
  Arbitrary<byte[]> rolloutBodies() {
    return mutated(
        map(
            "prompt",
            "chat",
            "candidateVersion",
            2,
            "startedBy",
            "ana",
            "stages",
            List.of(
                map(
                    "weightBp",
                    500,
                    "minJudgements",
                    10,
                    "minBakeSeconds",
                    60,
                    "maxBakeSeconds",
                    3600)),
            "gates",
            map(
                "errorRate",
                map("margin", 0.02),
                "latency",
                map("quantiles", List.of(0.5, 0.95), "margins", List.of(0.05, 0.03))),
            "evalSuite",
            "fuzz-suite",
            "inconclusivePolicy",
            "EXTEND",
            "maxExtensions",
            1,
            "checkIntervalSeconds",
            60,
            "alertWebhook",
            "http://127.0.0.1:1/hook",
            "judge",
            "j/1",
            "srmPolicy",
            "HOLD"));
  }

  @Provide
  Arbitrary<byte[]> controlBodies() {
    return mutated(map("actor", "ana", "reason", "because"));
  }

  /** Path segments, percent-encoded: names, numbers, NUL, traversal, invalid UTF-8, huge. */
  @Provide
  Arbitrary<String> segments() {
    return Arbitraries.oneOf(
        Arbitraries.of(
            "chat",
            "rollout-chat-9",
            "nosuch",
            "1",
            "0",
            "-1",
            "99999999999",
            "%00",
            "a%00b",
            "%2e%2e",
            "..",
            "%2F",
            "a%2Fb",
            "%C3%28",
            "%FF",
            "%27%3B%20DROP%20TABLE%20x%3B--",
            "%E2%80%AE",
            "%20",
            "CHAT",
            "fuzz-suite"),
        Arbitraries.strings().ofMinLength(1).ofMaxLength(30).map(EndpointFuzzTest::encode),
        Arbitraries.integers().between(101, 5000).map(n -> "a".repeat(n)));
  }

  @Provide
  Arbitrary<String> promptNames() {
    return Arbitraries.oneOf(Arbitraries.just("chat"), Arbitraries.just("fuzz-new"), segments());
  }

  @Provide
  Arbitrary<String> actions() {
    return Arbitraries.oneOf(
        Arbitraries.of("pause", "resume", "abort", "bypass", "approve", "eval", "delete"),
        segments());
  }

  @Provide
  Arbitrary<String> readPaths() {
    Arbitrary<String> s = segments();
    return Arbitraries.oneOf(
        Arbitraries.of(
            "/v1/ping",
            "/v1/prompts",
            "/v1/eval-suites",
            "/v1/rollouts",
            "/v1/audit",
            "/v1/keys",
            "/v1/routing",
            "/v1/routing/stream",
            "/ui/rollouts",
            "/",
            "/v1",
            "/v1/",
            "/nothing"),
        s.map(x -> "/v1/prompts/" + x + "/versions"),
        Combinators.combine(s, s).as((a, b) -> "/v1/prompts/" + a + "/versions/" + b),
        s.map(x -> "/v1/prompts/" + x + "/resolve"),
        s.map(x -> "/v1/prompts/" + x + "/routing"),
        s.map(x -> "/v1/prompts/" + x + "/metrics"),
        Combinators.combine(s, s).as((a, b) -> "/v1/routing/versions/" + a + "/" + b),
        s.map(x -> "/v1/routing/versions/chat/" + x),
        s.map(x -> "/v1/eval-suites/" + x),
        s.map(x -> "/v1/eval-suites/" + x + "/versions"),
        Combinators.combine(s, s).as((a, b) -> "/v1/eval-suites/" + a + "/versions/" + b),
        s.map(x -> "/v1/rollouts/" + x),
        s.map(x -> "/v1/rollouts/" + x + "/eval"),
        s.map(x -> "/v1/evals/" + x),
        s.map(x -> "/v1/evals/eval-" + x),
        s.map(x -> "/v1/keys/" + x),
        s.map(x -> "/ui/rollouts/" + x),
        s.map(x -> "/ui/prompts/" + x));
  }

  /** Query strings over every parameter the API reads, with hostile values. */
  @Provide
  Arbitrary<String> queries() {
    Arbitrary<String> names =
        Arbitraries.of(
            "limit", "offset", "since", "unit", "pin", "prompt", "state", "x", "%00", "limit[]",
            "rollout", "actor", "after", "revoked", "wait");
    Arbitrary<String> values =
        Arbitraries.oneOf(
            Arbitraries.of(
                "",
                "1",
                "0",
                "-1",
                "500",
                "501",
                "2147483648",
                "1e3",
                "NaN",
                "Infinity",
                "2026-01-01T00:00:00Z",
                "+200000-01-01T00:00:00Z",
                "-100000-01-01T00:00:00Z",
                "%00",
                "a%00b",
                "%C3%28",
                "%FF",
                "%27%20OR%201%3D1",
                "..%2F..%2F",
                "RUNNING",
                "running",
                "chat",
                "u".repeat(300)),
            Arbitraries.strings().ofMaxLength(20).map(EndpointFuzzTest::encode));
    Arbitrary<String> pair = Combinators.combine(names, values).as((n, v) -> n + "=" + v);
    return pair.list()
        .ofMaxSize(4)
        .map(pairs -> pairs.isEmpty() ? "" : "?" + String.join("&", pairs));
  }

  @Provide
  Arbitrary<String> anyPaths() {
    return Arbitraries.of(
        "/v1/observations",
        "/v1/judgements",
        "/v1/metrics",
        "/v1/transcripts",
        "/v1/otlp/v1/traces",
        "/v1/rollouts",
        "/v1/eval-suites",
        "/v1/evals",
        "/v1/prompts/chat/versions",
        "/v1/prompts/chat/routing",
        "/v1/rollouts/x/pause",
        "/v1/prompts",
        "/v1/ping",
        "/v1/prompts/chat/resolve");
  }

  @Provide
  Arbitrary<String> methods() {
    return Arbitraries.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");
  }

  @Provide
  Arbitrary<String> contentTypes() {
    return Arbitraries.of(
        "application/json",
        "text/plain",
        "application/xml",
        "application/x-www-form-urlencoded",
        "application/json; charset=latin1",
        "multipart/form-data; boundary=x",
        "*/*",
        "garbage");
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
