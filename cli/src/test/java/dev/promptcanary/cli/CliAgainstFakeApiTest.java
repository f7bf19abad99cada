package dev.promptcanary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI against a stand-in HTTP server that records each request and answers what the test says:
 * what it sends (path, key, body), how it shows the answers, its exit codes. The real API is
 * exercised by devstack's {@code CliIT}.
 */
class CliAgainstFakeApiTest {
  record Request(String method, String path, String authorization, String body) {}

  private HttpServer server;
  private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
  private volatile Handler handler = (e, body) -> answer(e, 200, "{}");
  @TempDir Path dir;

  interface Handler {
    void handle(HttpExchange exchange, String body) throws IOException;
  }

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          requests.add(
              new Request(
                  exchange.getRequestMethod(),
                  exchange.getRequestURI().toString(),
                  exchange.getRequestHeaders().getFirst("Authorization"),
                  body));
          handler.handle(exchange, body);
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  static void answer(HttpExchange exchange, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  record Run(int code, String out, String err) {}

  private Run cli(String... args) {
    return cli(Map.of("PROMPTCANARY_URL", url(), "PROMPTCANARY_API_KEY", "pck_env"), args);
  }

  private Run cli(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        PromptCanaryCli.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            env);
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Test
  void pushSendsTheYamlFileAsJsonToTheNamedPromptWithTheKeyFromTheEnvironment() throws Exception {
    Path file = dir.resolve("support.yaml");
    Files.writeString(
        file,
        """
        name: support
        systemPrompt: |
          You are a concise support agent.
        fewShot:
          - user: Where is my order?
            assistant: Let me look it up.
        template: "Customer {{name}} asks: {{question}}"
        model: gpt-4o-mini
        parameters: {temperature: 0.2, max_tokens: 300}
        author: ana
        """);
    handler =
        (e, body) ->
            answer(e, 201, "{\"prompt\":\"support\",\"version\":3,\"contentHash\":\"ab12\"}");

    Run run = cli("prompt", "push", file.toString());

    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out()).isEqualTo("support@3 ab12\n");
    Request sent = requests.get(0);
    assertThat(sent.method()).isEqualTo("POST");
    assertThat(sent.path()).isEqualTo("/v1/prompts/support/versions");
    assertThat(sent.authorization()).isEqualTo("Bearer pck_env");
    JsonNode body = ApiClient.JSON.readTree(sent.body());
    assertThat(body.has("name")).isFalse();
    assertThat(body.path("systemPrompt").asText()).isEqualTo("You are a concise support agent.\n");
    assertThat(body.path("parameters").path("temperature").isDouble()).isTrue();
    assertThat(body.path("parameters").path("max_tokens").isInt()).isTrue();
    assertThat(body.path("fewShot").get(0).path("assistant").asText())
        .isEqualTo("Let me look it up.");
  }

  @Test
  void flagsWinOverTheEnvironment() {
    Run run =
        cli(
            Map.of("PROMPTCANARY_URL", "http://127.0.0.1:1", "PROMPTCANARY_API_KEY", "pck_env"),
            "rollout",
            "list",
            "--url",
            url(),
            "--api-key",
            "pck_flag",
            "--prompt",
            "support");
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(requests.get(0).authorization()).isEqualTo("Bearer pck_flag");
    assertThat(requests.get(0).path()).isEqualTo("/v1/rollouts?limit=100&prompt=support");
  }

  @Test
  void theServersErrorIsOneLineWithItsFieldAndANonZeroExit() throws Exception {
    Path file = dir.resolve("rollout.json");
    Files.writeString(file, "{\"prompt\": \"support\", \"stages\": []}");
    handler =
        (e, body) ->
            answer(
                e,
                422,
                "{\"code\":422,\"message\":\"stages: a rollout needs at least one stage\","
                    + "\"field\":\"stages\",\"errors\":[]}");

    Run run = cli("rollout", "start", file.toString());

    assertThat(run.code()).isEqualTo(PromptCanaryCli.ERROR);
    assertThat(run.out()).isEmpty();
    assertThat(run.err())
        .isEqualTo("error: stages: a rollout needs at least one stage (field stages, HTTP 422)\n");
  }

  @Test
  void aStartAnswered503IsSentAgainWithTheSameRequestId() throws Exception {
    Path file = dir.resolve("rollout.json");
    Files.writeString(file, "{\"prompt\": \"support\", \"candidateVersion\": 2, \"stages\": []}");
    AtomicInteger calls = new AtomicInteger();
    handler =
        (e, body) -> {
          if (calls.incrementAndGet() == 1) {
            answer(e, 503, "{\"code\":503,\"message\":\"Temporal did not answer\"}");
          } else {
            answer(
                e,
                200,
                "{\"id\":\"rollout-support-2\",\"state\":\"PENDING\",\"prompt\":\"support\","
                    + "\"candidateVersion\":2,\"baselineVersion\":1}");
          }
        };

    Run run = cli("rollout", "start", file.toString());

    assertThat(run.code()).as(run.err()).isEqualTo(PromptCanaryCli.OK);
    assertThat(run.out()).isEqualTo("rollout-support-2 PENDING: support v2 against v1\n");
    assertThat(requests).hasSize(2);
    String first = json(requests.get(0).body()).path("requestId").asText();
    assertThat(first).startsWith("cli-");
    assertThat(json(requests.get(1).body()).path("requestId").asText()).isEqualTo(first);
    assertThat(run.err()).contains("sending the start again with requestId " + first);

    // A requestId of the file's own is sent as it is.
    requests.clear();
    Files.writeString(
        file, "{\"prompt\": \"support\", \"candidateVersion\": 2, \"requestId\": \"deploy-9\"}");
    assertThat(cli("rollout", "start", file.toString()).code()).isEqualTo(PromptCanaryCli.OK);
    assertThat(json(requests.get(0).body()).path("requestId").asText()).isEqualTo("deploy-9");
  }

  private static JsonNode json(String body) throws IOException {
    return ApiClient.JSON.readTree(body);
  }

  @Test
  void noServerAndABadFileAreOneLineErrorsToo() throws Exception {
    Run unreachable =
        cli(Map.of("PROMPTCANARY_URL", "http://127.0.0.1:1"), "rollout", "status", "r-1");
    assertThat(unreachable.code()).isEqualTo(PromptCanaryCli.ERROR);
    assertThat(unreachable.err())
        .startsWith("error: cannot reach promptcanary at http://127.0.0.1:1");
    assertThat(unreachable.err().strip()).doesNotContain("\n");

    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "prompt: [unclosed\n");
    Run unreadable = cli("rollout", "start", bad.toString());
    assertThat(unreadable.code()).isEqualTo(PromptCanaryCli.ERROR);
    assertThat(unreadable.err()).startsWith("error: " + bad + ": not valid YAML: ");
    assertThat(requests).isEmpty();

    Run usage = cli("rollout", "pause", "r-1");
    assertThat(usage.code()).isEqualTo(PromptCanaryCli.USAGE);
    assertThat(usage.err()).contains("--reason");
  }

  @Test
  void aMissingKeyIsNamedInThe401Line() {
    handler =
        (e, body) ->
            answer(
                e,
                401,
                "{\"code\":401,\"message\":\"an API key is required\",\"field\":\"Authorization\"}");
    Run run = cli(Map.of("PROMPTCANARY_URL", url()), "prompt", "list");
    assertThat(run.code()).isEqualTo(PromptCanaryCli.ERROR);
    assertThat(requests.get(0).authorization()).isNull();
    assertThat(run.err())
        .contains("set --api-key or PROMPTCANARY_API_KEY")
        .contains("(field Authorization, HTTP 401)");
  }

  @Test
  void readCommandsPrintTheApisJsonWithOutputJson() throws Exception {
    String rollout = Fixtures.text(Fixtures.rollout("promoted"));
    handler = (e, body) -> answer(e, 200, rollout);
    Run run = cli("rollout", "status", "rollout-support-demo-2", "--output", "json");
    assertThat(run.code()).isZero();
    assertThat(ApiClient.JSON.readTree(run.out())).isEqualTo(ApiClient.JSON.readTree(rollout));

    Run text = cli("rollout", "status", "rollout-support-demo-2");
    assertThat(text.out()).contains("decision PROMOTED: every stage passed its gates");
  }

  @Test
  void controlsPostTheReasonToTheActionsPath() throws Exception {
    handler = (e, body) -> answer(e, 200, "{\"state\":\"PAUSED\",\"message\":\"paused\"}");
    Run run = cli("rollout", "pause", "rollout-x", "--reason", "looking into tickets");
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out()).isEqualTo("rollout-x PAUSED: paused\n");
    assertThat(requests.get(0).path()).isEqualTo("/v1/rollouts/rollout-x/pause");
    assertThat(ApiClient.JSON.readTree(requests.get(0).body()).path("reason").asText())
        .isEqualTo("looking into tickets");
  }

  @Test
  void eachControlPostsToItsOwnNameAndHasTheStandardHelpOptions() throws Exception {
    handler = (e, body) -> answer(e, 200, "{\"state\":\"CANARY\"}");
    List<String> actions = List.of("pause", "resume", "abort", "bypass", "approve");
    for (String action : actions) {
      Run run = cli("rollout", action, "rollout-x", "--reason", "r");
      assertThat(run.code()).as(run.err()).isZero();
      Run help = cli("rollout", action, "--help");
      assertThat(help.code()).as(action).isZero();
      assertThat(help.out()).as(action).contains("rollout " + action).contains("--reason");
    }
    assertThat(requests.stream().map(r -> r.path()).toList())
        .containsExactlyElementsOf(
            actions.stream().map(action -> "/v1/rollouts/rollout-x/" + action).toList());
  }

  @Test
  void approvePostsToTheApprovePathAndAConflictIsOneLine() throws Exception {
    handler = (e, body) -> answer(e, 200, "{\"state\":\"CANARY\",\"message\":\"approved\"}");
    Run run = cli("rollout", "approve", "rollout-x", "--reason", "checked the transcripts");
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out()).isEqualTo("rollout-x CANARY: approved\n");
    assertThat(requests.get(0).path()).isEqualTo("/v1/rollouts/rollout-x/approve");
    assertThat(ApiClient.JSON.readTree(requests.get(0).body()).path("reason").asText())
        .isEqualTo("checked the transcripts");

    handler =
        (e, body) ->
            answer(
                e,
                409,
                "{\"code\":409,\"message\":\"rollout-x is not waiting for approval\",\"field\":null}");
    Run refused = cli("rollout", "approve", "rollout-x", "--reason", "again");
    assertThat(refused.code()).isEqualTo(PromptCanaryCli.ERROR);
    assertThat(refused.err()).contains("not waiting for approval").contains("409");
  }

  @Test
  void watchAppendsASnapshotPerChangeAndExitsWithTheEnding() {
    // The recorded rollout: stage 1 (read twice: one snapshot), stage 2, then promoted.
    List<String> answers =
        List.of(
            Fixtures.text(Fixtures.rollout("canary-stage1-insufficient")),
            Fixtures.text(Fixtures.rollout("canary-stage1-insufficient")),
            Fixtures.text(Fixtures.rollout("canary-stage2-passing")),
            Fixtures.text(Fixtures.rollout("promoted")));
    AtomicInteger next = new AtomicInteger();
    handler =
        (e, body) ->
            answer(e, 200, answers.get(Math.min(next.getAndIncrement(), answers.size() - 1)));

    Run run = cli("rollout", "watch", "rollout-support-demo-2", "--interval", "0.1");

    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out()).doesNotContain("\033[");
    assertThat(run.out().split("\n")).filteredOn(l -> l.startsWith("--- ")).hasSize(3);
    assertThat(run.out())
        .containsSubsequence("stage 1/2 at 10%", "stage 2/2 at 50%", "decision PROMOTED");
    assertThat(requests).hasSize(4);
  }

  @Test
  void watchExits1OnARollbackAnd2WhenTheSystemHoldsIt() {
    String rolledBack = Fixtures.text(Fixtures.rollout("promoted").put("state", "ROLLED_BACK"));
    handler = (e, body) -> answer(e, 200, rolledBack);
    assertThat(cli("rollout", "watch", "r").code()).isEqualTo(1);

    String held =
        Fixtures.text(Fixtures.withLiveState("canary-stage2-passing", "PAUSED", "JUDGE_UNHEALTHY"));
    handler = (e, body) -> answer(e, 200, held);
    Run run = cli("rollout", "watch", "r");
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.out()).contains("held: it needs a person");
  }

  @Test
  void watchOfAnUnknownRolloutIsAnError() {
    handler =
        (e, body) ->
            answer(e, 404, "{\"code\":404,\"message\":\"no rollout 'nope'\",\"field\":\"path\"}");
    Run run = cli("rollout", "watch", "nope");
    assertThat(run.code()).isEqualTo(PromptCanaryCli.ERROR);
    assertThat(run.err()).isEqualTo("error: no rollout 'nope' (field path, HTTP 404)\n");
  }

  @Test
  void diffShowsOnlyTheSectionsThatChanged() {
    handler =
        (e, body) -> {
          String path = e.getRequestURI().getPath();
          String system = path.endsWith("/1") ? "Be polite." : "Be brief.";
          String temperature = path.endsWith("/1") ? "0.2" : "0.7";
          answer(
              e,
              200,
              """
              {"prompt": "support", "version": 1, "content": {"systemPrompt": "You help.\\n%s",
               "fewShot": [], "template": "Q: {{q}}", "model": "m", "parameters": {"temperature": %s, "top_p": 1}}}"""
                  .formatted(system, temperature));
        };
    Run run = cli("prompt", "diff", "support", "1", "2");
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out())
        .isEqualTo(
            """
            --- support@1
            +++ support@2
            @@ system prompt
              You help.
            - Be polite.
            + Be brief.
            @@ parameters
            - temperature: 0.2
            + temperature: 0.7
              top_p: 1
            """);
  }

  @Test
  void onATerminalEachFrameIsRedrawnOverThePreviousOne() throws Exception {
    List<String> answers =
        List.of(
            Fixtures.text(Fixtures.rollout("canary-stage1-insufficient")),
            Fixtures.text(Fixtures.rollout("promoted")));
    AtomicInteger next = new AtomicInteger();
    handler =
        (e, body) ->
            answer(e, 200, answers.get(Math.min(next.getAndIncrement(), answers.size() - 1)));
    java.io.StringWriter screen = new java.io.StringWriter();
    RolloutWatch.Result result =
        new RolloutWatch(
                new ApiClient(java.net.URI.create(url()), "pck", java.time.Duration.ofSeconds(5)),
                new java.io.PrintWriter(screen),
                new RolloutWatch.Options(
                    true,
                    java.time.Duration.ofMillis(50),
                    java.time.Duration.ofSeconds(10),
                    null,
                    200),
                () -> List.of("traffic: fine"))
            .watch("rollout-support-demo-2");

    assertThat(result.exitCode()).isZero();
    assertThat(result.rollout().path("state").asText()).isEqualTo("PROMOTED");
    String drawn = screen.toString();
    int firstFrame =
        WatchFrame.render(Fixtures.rollout("canary-stage1-insufficient"), 200).size() + 1;
    // The first frame is drawn from where the cursor is; the second goes back over all its lines.
    assertThat(drawn).doesNotStartWith("\033[");
    assertThat(drawn).contains("\033[" + firstFrame + "F");
    assertThat(drawn.indexOf("\033[" + firstFrame + "F")).isGreaterThan(drawn.indexOf("stage 1/2"));
    assertThat(drawn.split("\n")).allMatch(l -> l.endsWith("\033[K") || l.startsWith("\033[J"));
    assertThat(drawn).endsWith("\033[J").contains("traffic: fine\033[K");
  }
}
