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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code eval run} against a stand-in API: what it sends, that it follows the eval until it ends,
 * and the exit code and JUnit XML for each way an eval ends. The real API is {@code
 * EvalRunCliTest}'s (devstack).
 */
class EvalRunAgainstFakeApiTest {
  private HttpServer server;
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger reads = new AtomicInteger();
  private volatile String finalState = "PASSED";
  @TempDir Path dir;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " " + body);
          if (exchange.getRequestMethod().equals("POST")) {
            answer(exchange, 202, eval("RUNNING", 0));
          } else {
            // one read while it runs, then the end
            int n = reads.incrementAndGet();
            answer(exchange, 200, n < 2 ? eval("RUNNING", n) : eval(finalState, 2));
          }
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private static void answer(HttpExchange exchange, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  /** An eval of two cases without a baseline, {@code done} of them run (case a passes, b fails). */
  private static String eval(String state, int done) {
    String reason =
        switch (state) {
          case "PASSED" -> "\"eval suite faq v2 passed: candidate v3 1/2 cases passed\"";
          case "FAILED" -> "\"eval suite faq v2 blocked the candidate: pass rate 50.0% below\"";
          case "ERROR" -> "\"eval suite faq v2 could not finish: case 'b': model call failed\"";
          default -> "null";
        };
    String a =
        done >= 1
            ? """
              {"caseId": "a", "arm": "candidate", "version": 3, "output": "fine", "passed": true,
               "assertions": [{"type": "contains", "passed": true}], "latencyMs": 1200}"""
            : "null";
    String b =
        done >= 2
            ? """
              {"caseId": "b", "arm": "candidate", "version": 3, "output": "<b>&", "passed": false,
               "judgeScore": 0.31,
               "assertions": [{"type": "judge", "passed": false, "detail": "score 0.31 below 0.60", "score": 0.31}],
               "latencyMs": 800}"""
            : "null";
    return """
        {"id": "eval-7", "state": "%s", "reason": %s, "prompt": "support", "candidateVersion": 3,
         "baselineVersion": null, "suite": "faq", "suiteVersion": 2, "startedAt": "2026-12-02T06:00:00Z",
         "progress": {"done": %d, "total": 2},
         "gate": {"rules": {"minPassRate": 0.5}, "passed": null, "reason": null},
         "candidate": {"version": 3, "cases": %d, "passed": %d, "passRate": 0.5, "cost": 0.001},
         "baseline": null,
         "cases": [{"id": "a", "passed": %s, "candidate": %s, "baseline": null},
                   {"id": "b", "passed": %s, "candidate": %s, "baseline": null}]}"""
        .formatted(
            state,
            reason,
            done,
            done,
            Math.min(done, 1),
            done >= 1 ? "true" : "null",
            a,
            done >= 2 ? "false" : "null",
            b);
  }

  record Run(int code, String out, String err) {}

  private Run cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        PromptCanaryCli.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            Map.of(
                "PROMPTCANARY_URL",
                "http://127.0.0.1:" + server.getAddress().getPort(),
                "PROMPTCANARY_API_KEY",
                "pck_ci"));
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  // case b fails in every one; the gate adds a failure (FAILED) or an error (ERROR)
  @CsvSource({"PASSED, 0, 1, 1, 0", "FAILED, 1, 2, 0, 0", "ERROR, 4, 1, 0, 1"})
  void followsTheEvalToItsEndAndExitsAndReportsByHowItEnded(
      String state, int exitCode, int failures, int gateOut, int errors) throws Exception {
    finalState = state;
    Path junit = dir.resolve("out/eval.xml");

    Run run =
        cli(
            "eval",
            "run",
            "--suite",
            "faq@2",
            "--prompt",
            "support@3",
            "--baseline",
            "1",
            "--request-id",
            "build-9",
            "--interval",
            "0.1",
            "--junit",
            junit.toString());

    assertThat(run.code()).as(run.out() + run.err()).isEqualTo(exitCode);
    JsonNode sent = ApiClient.JSON.readTree(requests.get(0).substring("POST /v1/evals ".length()));
    assertThat(requests.get(0)).startsWith("POST /v1/evals ");
    assertThat(sent.toString())
        .isEqualTo(
            "{\"suite\":\"faq@2\",\"prompt\":\"support\",\"candidateVersion\":3,"
                + "\"baselineVersion\":1,\"requestId\":\"build-9\"}");
    assertThat(requests.subList(1, requests.size()))
        .allMatch(r -> r.startsWith("GET /v1/evals/eval-7 "));
    // not a terminal: one progress line per change
    assertThat(run.out())
        .contains(
            "eval-7  support v3 (no baseline) on faq v2  RUNNING\n"
                + "case runs 0/2 done (2 cases x 1 version)  RUNNING\n"
                + "case runs 1/2 done (2 cases x 1 version)  RUNNING\n"
                + "case runs 2/2 done (2 cases x 1 version)  "
                + state
                + "\n")
        .containsPattern("(?m)^  b +FAIL 0\\.31 +judge: score 0\\.31 below 0\\.60$");
    assertThat(run.err().isEmpty()).isEqualTo(exitCode != 4);

    String xml = Files.readString(junit);
    assertThat(xml)
        .contains(
            "<testsuite name=\"faq v2: support v3\" tests=\"3\" failures=\"" + failures + "\"")
        .contains("errors=\"" + errors + "\"")
        .contains("<testcase classname=\"promptcanary.eval.faq\" name=\"a\" time=\"1.200\">")
        .contains("<failure type=\"assertion\" message=\"judge: score 0.31 below 0.60\">")
        .contains("candidate v3 (FAIL 0.31): &lt;b&gt;&amp;");
    assertThat(
            xml.contains(
                "<testcase classname=\"promptcanary.eval.faq\" name=\"gate\" time=\"0\"><system-out>"))
        .isEqualTo(gateOut == 1);
  }
}
