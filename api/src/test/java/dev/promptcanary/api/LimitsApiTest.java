package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.promptcanary.activities.store.TestDatabases;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import dev.promptcanary.api.TestApps.Http;
import dev.promptcanary.api.TestApps.Http.Reply;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The inputs issue 12 found answered 500, with the wrong shape, or wrongly accepted: each refused
 * with a 4xx in the one error shape, naming the field, and leaving no row behind.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class LimitsApiTest {
  static final TestDatabase DB = TestDatabases.fresh();
  static final DropwizardAppExtension<PromptCanaryConfiguration> APP =
      new DropwizardAppExtension<>(
          PromptCanaryApplication.class,
          adjusted(
              c -> {
                c.getLimits().setMaxRequestBytes(64 * 1024);
              }));
  static final ObjectMapper JSON = new ObjectMapper();
  final Http http = new Http(APP);

  static PromptCanaryConfiguration adjusted(
      java.util.function.Consumer<PromptCanaryConfiguration> adjust) {
    PromptCanaryConfiguration config = TestApps.config(DB);
    adjust.accept(config);
    return config;
  }

  @BeforeAll
  static void prompts() {
    Http http = new Http(APP);
    assertThat(http.post("/v1/prompts/chat/versions", TestApps.version(1)).status()).isEqualTo(201);
    assertThat(http.post("/v1/prompts/chat/versions", TestApps.version(2)).status()).isEqualTo(201);
  }

  static String observation(String overrides) {
    return "{\"observations\":[{\"requestId\":\"r-1\",\"prompt\":\"chat\",\"version\":1,"
        + "\"unit\":\"u\",\"latencyMs\":10,\"cost\":0.001,\"error\":false,\"safetyFlag\":false"
        + overrides
        + "}]}";
  }

  /** A refusal: the status, the documented shape, the field, and nothing written. */
  private Reply refused(int status, String field, Reply reply, long rowsBefore) {
    assertThat(reply.status()).as(String.valueOf(reply.body())).isEqualTo(status);
    assertShape(reply);
    assertThat(reply.body().get("field").asText()).isEqualTo(field);
    assertThat(Rows.total(DB.jdbi())).isEqualTo(rowsBefore);
    return reply;
  }

  static void assertShape(Reply reply) {
    JsonNode body = reply.body();
    assertThat(body).as("body of a " + reply.status()).isNotNull();
    assertThat(body.get("code").asInt()).isEqualTo(reply.status());
    assertThat(body.get("message").isTextual()).isTrue();
    assertThat(body.has("field")).isTrue();
  }

  @Test
  void httpLayerErrorsHaveTheShapeAndNameWhatIsWrong() {
    long rows = Rows.total(DB.jdbi());
    refused(404, "path", http.get("/v1/nothing-here"), rows);
    refused(405, "method", http.send("DELETE", "/v1/prompts", "application/json", null), rows);
    refused(415, "Content-Type", http.send("POST", "/v1/observations", "text/plain", "hi"), rows);
    refused(400, "observations", http.post("/v1/observations", "{\"observations\": ["), rows);
    refused(400, "body", http.post("/v1/observations", "{} trailing"), rows);
  }

  @Test
  void errorsJettyAnswersItselfAreJsonToo() throws IOException {
    for (String requestLine :
        new String[] {
          "GET /v1/prompts/%ZZ HTTP/1.1", "GET /v1/%2e%2e/x HTTP/1.1", "NOT-HTTP-AT-ALL"
        }) {
      String reply =
          raw(
              requestLine
                  + "\r\nHost: localhost\r\nAccept: text/html\r\nConnection: close\r\n\r\n");
      assertThat(reply).as(requestLine).startsWith("HTTP/1.1 400");
      assertThat(reply).as(requestLine).containsIgnoringCase("Content-Type: application/json");
      JsonNode body = JSON.readTree(reply.substring(reply.indexOf("\r\n\r\n") + 4));
      assertThat(body.get("code").asInt()).isEqualTo(400);
      assertThat(body.get("message").isTextual()).isTrue();
      assertThat(body.has("field")).isTrue();
    }
  }

  private static String raw(String request) throws IOException {
    try (Socket socket = new Socket("localhost", APP.getLocalPort())) {
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void aBodyOverTheLimitIs413() {
    long rows = Rows.total(DB.jdbi());
    String big = observation(",\"feedback\":0" + " ".repeat(70 * 1024));
    refused(413, "body", http.post("/v1/observations", big), rows);
  }

  @Test
  void unknownFieldsAreRefusedByName() {
    long rows = Rows.total(DB.jdbi());
    refused(
        400,
        "observations[0].colour",
        http.post("/v1/observations", observation(",\"colour\":1")),
        rows);
    refused(
        400,
        "reasn",
        http.post("/v1/rollouts/x/pause", "{\"actor\":\"a\",\"reason\":\"r\",\"reasn\":\"r\"}"),
        rows);
  }

  @Test
  void wrongTypesAreNotCoerced() {
    long rows = Rows.total(DB.jdbi());
    refused(
        400,
        "observations[0].latencyMs",
        http.post("/v1/observations", observation(",\"latencyMs\":\"5\"")),
        rows);
    refused(
        400,
        "observations[0].version",
        http.post("/v1/observations", observation(",\"version\":1.5")),
        rows);
    refused(
        400,
        "observations[0].requestId",
        http.post("/v1/observations", observation(",\"requestId\":7")),
        rows);
    // Jackson reads the text "NaN" as the number; the range check refuses it.
    refused(
        422,
        "observations[0].latencyMs",
        http.post("/v1/observations", observation(",\"latencyMs\":\"NaN\"")),
        rows);
    refused(
        400,
        "observations[0]",
        http.post("/v1/observations", observation(",\"latencyMs\":NaN")),
        rows);
  }

  @Test
  void nulIsRefusedInBodiesQueriesAndPaths() {
    long rows = Rows.total(DB.jdbi());
    refused(
        422,
        "observations[0].requestId",
        http.post("/v1/observations", observation(",\"requestId\":\"a\\u0000b\"")),
        rows);
    refused(
        422,
        "reason",
        http.post("/v1/rollouts/x/pause", "{\"actor\":\"a\",\"reason\":\"stop\\u0000now\"}"),
        rows);
    refused(422, "since", http.get("/v1/prompts/chat/metrics?since=2026%00"), rows);
    refused(422, "unit", http.get("/v1/prompts/chat/resolve?unit=a%00b"), rows);
    Reply path = http.get("/v1/prompts/ch%00at/versions");
    assertThat(path.status()).isBetween(400, 422);
    assertShape(path);
  }

  @Test
  void instantsMustBeStorable() {
    long rows = Rows.total(DB.jdbi());
    refused(422, "since", http.get("/v1/prompts/chat/metrics?since=-100000-01-01T00:00:00Z"), rows);
    refused(422, "since", http.get("/v1/prompts/chat/metrics?since=+200000-01-01T00:00:00Z"), rows);
    String judgement =
        "{\"judgements\":[{\"requestId\":\"r\",\"prompt\":\"chat\",\"version\":1,\"judge\":\"j\",\"score\":0.5,\"judgedAt\":\"%s\"}]}";
    refused(
        422,
        "judgements[0].judgedAt",
        http.post("/v1/judgements", judgement.formatted("+100000-01-01T00:00:00Z")),
        rows);
    refused(
        422,
        "judgements[0].judgedAt",
        http.post("/v1/judgements", judgement.formatted(Instant.now().plusSeconds(3 * 86_400))),
        rows);
    refused(
        422,
        "observations[0].observedAt",
        http.post("/v1/observations", observation(",\"observedAt\":\"1960-01-01T00:00:00Z\"")),
        rows);
    assertThat(http.post("/v1/judgements", judgement.formatted(Instant.now())).status())
        .isEqualTo(200);
  }

  @Test
  void requiredFlagsAndNumberRangesAreEnforced() {
    long rows = Rows.total(DB.jdbi());
    String noError =
        "{\"observations\":[{\"requestId\":\"r-2\",\"prompt\":\"chat\",\"version\":1,\"latencyMs\":1,\"safetyFlag\":false}]}";
    refused(422, "observations[0].error", http.post("/v1/observations", noError), rows);
    String noSafety =
        "{\"observations\":[{\"requestId\":\"r-2\",\"prompt\":\"chat\",\"version\":1,\"latencyMs\":1,\"error\":false}]}";
    refused(422, "observations[0].safetyFlag", http.post("/v1/observations", noSafety), rows);
    refused(
        422,
        "observations[0].cost",
        http.post("/v1/observations", observation(",\"cost\":1e200")),
        rows);
    refused(
        422,
        "observations[0].latencyMs",
        http.post("/v1/observations", observation(",\"latencyMs\":1e400")),
        rows);
    refused(
        400,
        "observations[0]",
        http.post("/v1/observations", observation(",\"cost\":1" + "0".repeat(200))),
        rows);
    String metric =
        "{\"metrics\":[{\"prompt\":\"chat\",\"version\":1,\"unit\":\"u\",\"name\":\"csat\",\"value\":%s}]}";
    refused(422, "metrics[0].value", http.post("/v1/metrics", metric.formatted("1e12")), rows);
    // The metrics of the prompt still read: nothing unbounded got in.
    assertThat(http.get("/v1/prompts/chat/metrics").status()).isEqualTo(200);
  }

  @Test
  void aBadBatchListsEveryProblemOfEveryItem() {
    long rows = Rows.total(DB.jdbi());
    String batch =
        "{\"observations\":["
            + "{\"requestId\":\"b-1\",\"prompt\":\"chat\",\"version\":1,\"latencyMs\":-5,\"error\":false,\"safetyFlag\":false},"
            + "{\"requestId\":\"b-2\",\"prompt\":\"chat\",\"version\":9,\"latencyMs\":5,\"error\":false,\"safetyFlag\":false},"
            + "{\"requestId\":\"b-2\",\"prompt\":\"chat\",\"version\":1,\"latencyMs\":5,\"safetyFlag\":false},"
            + "null]}";
    Reply reply =
        refused(422, "observations[0].latencyMs", http.post("/v1/observations", batch), rows);
    List<String> fields = new ArrayList<>();
    reply.body().get("errors").forEach(e -> fields.add(e.get("field").asText()));
    assertThat(fields)
        .containsExactly(
            "observations[0].latencyMs",
            "observations[1].version",
            "observations[2].error",
            "observations[2].requestId",
            "observations[3]");
  }

  @Test
  void promptParametersMustBeValuesAModelTakes() {
    long rows = Rows.total(DB.jdbi());
    String version =
        "{\"systemPrompt\":\"s\",\"template\":\"t\",\"model\":\"m\",\"author\":\"a\",\"parameters\":%s}";
    refused(
        422,
        "parameters.temperature",
        http.post("/v1/prompts/p/versions", version.formatted("{\"temperature\":null}")),
        rows);
    refused(
        422,
        "parameters.stop[1]",
        http.post("/v1/prompts/p/versions", version.formatted("{\"stop\":[\"a\",null]}")),
        rows);
    refused(
        422,
        "parameters.a.b.c.d.e",
        http.post(
            "/v1/prompts/p/versions",
            version.formatted("{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":1}}}}}}")),
        rows);
    refused(
        400,
        "parameters",
        http.post("/v1/prompts/p/versions", version.formatted("[".repeat(100) + "]".repeat(100))),
        rows);
    Reply fine =
        http.post(
            "/v1/prompts/p/versions",
            version.formatted(
                "{\"temperature\":0.2,\"stop\":[\"a\"],\"response_format\":{\"type\":\"json_object\"}}"));
    assertThat(fine.status()).isEqualTo(201);
  }

  @Test
  void rolloutsAreRefusedUpFront() {
    long rows = Rows.total(DB.jdbi());
    refused(404, "prompt", http.post("/v1/rollouts", start("nosuch", "")), rows);
    refused(
        422,
        "evalSuite",
        http.post("/v1/rollouts", start("chat", ",\"evalSuite\":\"missing-suite\"")),
        rows);
    refused(
        422,
        "evalSuite",
        http.post("/v1/rollouts", start("chat", ",\"evalSuite\":\"missing-suite@3\"")),
        rows);
    refused(
        422,
        "evalSuite",
        http.post("/v1/rollouts", start("chat", ",\"evalSuite\":\"Bad Name\"")),
        rows);
    refused(
        422,
        "gates.errorRate.margin",
        http.post("/v1/rollouts", start("chat", ",\"gates\":{\"errorRate\":{\"margin\":1e-300}}")),
        rows);
    refused(
        422,
        "gates.latency.margins[0]",
        http.post(
            "/v1/rollouts",
            start("chat", ",\"gates\":{\"latency\":{\"margins\":[1e-300,0.01,0.01]}}")),
        rows);
    refused(
        422,
        "gates",
        http.post(
            "/v1/rollouts",
            start(
                "chat",
                ",\"gates\":{\"quality\":{\"enabled\":false},\"errorRate\":{\"enabled\":false},"
                    + "\"safety\":{\"enabled\":false},\"latency\":{\"enabled\":false},\"cost\":{\"enabled\":false},"
                    + "\"feedback\":{\"enabled\":false}}")),
        rows);
  }

  private static String start(String prompt, String more) {
    return "{\"prompt\":\""
        + prompt
        + "\",\"candidateVersion\":2,\"startedBy\":\"ana\""
        + more
        + "}";
  }

  @Test
  void aJsonSchemaWithAnUnknownDialectIsRefusedAtCreation() {
    long rows = Rows.total(DB.jdbi());
    String suite =
        "{\"name\":\"s\",\"author\":\"a\",\"gate\":{\"minPassRate\":0.5},\"cases\":[{\"id\":\"c\","
            + "\"assertions\":[{\"type\":\"json_schema\",\"schema\":{\"$schema\":\"%s\",\"type\":\"object\"}}]}]}";
    refused(
        422,
        "cases[0].assertions[0].schema.$schema",
        http.post("/v1/eval-suites", suite.formatted("https://example.com/my-dialect")),
        rows);
    assertThat(
            http.post("/v1/eval-suites", suite.formatted("http://json-schema.org/draft-07/schema#"))
                .status())
        .isEqualTo(201);
  }

  @Test
  void textFieldsHaveLengthLimits() {
    long rows = Rows.total(DB.jdbi());
    refused(
        422,
        "observations[0].requestId",
        http.post("/v1/observations", observation(",\"requestId\":\"" + "x".repeat(201) + "\"")),
        rows);
    String longUnit = URLEncoder.encode("u".repeat(201), StandardCharsets.UTF_8);
    refused(422, "unit", http.get("/v1/prompts/chat/resolve?unit=" + longUnit), rows);
  }
}
