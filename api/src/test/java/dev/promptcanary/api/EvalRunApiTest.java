package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.promptcanary.api.TestApps.Http;
import dev.promptcanary.api.TestApps.Http.Reply;
import dev.promptcanary.api.auth.Role;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Eval runs without a rollout ({@code POST /v1/evals}) on the embedded stack: the worker runs the
 * suite through the rollout's eval runner against the model SIMULATOR; the answer follows the run
 * case by case to the gate's verdict; a failing model is an ERROR, not a gate failure; a request id
 * makes the start idempotent; bad requests are 4xx naming the field, and start nothing.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class EvalRunApiTest {
  static final EmbeddedStack APP =
      EmbeddedStack.withModels(
          config -> {
            // a model that keeps failing should end the eval in seconds, not minutes
            config.getModel().setTimeout(io.dropwizard.util.Duration.seconds(2));
            config.getModel().setMaxRetries(1);
          });
  static final String PROMPT = "evals";
  static final Http deployer = new Http(APP).as(Role.DEPLOYER);

  @BeforeAll
  static void data() {
    version("quality=0.9"); // v1, the stable version
    version("quality=0.3"); // v2, weak
    version("quality=0.92"); // v3, good
    version("quality=0.9 error_rate=1"); // v4, every model call fails
    Reply suite =
        deployer.post(
            "/v1/eval-suites",
            """
            {"name": "evals-faq", "author": "ana",
             "cases": [
               {"id": "order", "variables": {"question": "Where is my order?"},
                "assertions": [{"type": "contains", "value": "Simulated answer"},
                               {"type": "judge", "rubric": "Is the answer helpful?", "threshold": 0.6}]},
               {"id": "refund", "variables": {"question": "Can I get a refund?"},
                "assertions": [{"type": "judge", "rubric": "Is the answer helpful?", "threshold": 0.6}]}],
             "gate": {"minPassRate": 0.8, "maxDropVsBaseline": 0.1}}""");
    assertThat(suite.status()).as(String.valueOf(suite.body())).isEqualTo(201);
  }

  private static void version(String marker) {
    Reply created =
        deployer.post(
            "/v1/prompts/" + PROMPT + "/versions",
            """
            {"systemPrompt": "[sim %s] You answer support questions.", "template": "{{question}}",
             "model": "sim-model", "author": "ana"}"""
                .formatted(marker));
    assertThat(created.status()).as(String.valueOf(created.body())).isIn(200, 201);
  }

  private static String body(int candidate, String extra) {
    return "{\"suite\": \"evals-faq\", \"prompt\": \""
        + PROMPT
        + "\", \"candidateVersion\": "
        + candidate
        + extra
        + "}";
  }

  /** Follows the eval to its end, keeping every answer read on the way. */
  private static JsonNode awaitEnd(String id, List<JsonNode> seen) {
    return await("eval " + id + " ends")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              JsonNode view = new Http(APP).as(Role.READER).get("/v1/evals/" + id).body();
              seen.add(view);
              return view;
            },
            v -> !v.path("state").asText().equals("RUNNING"));
  }

  @Test
  void aGoodCandidatePassesTheGateCaseByCaseAgainstTheStableBaseline() {
    Reply started = deployer.post("/v1/evals", body(3, ""));
    assertThat(started.status()).as(String.valueOf(started.body())).isEqualTo(202);
    String id = started.body().path("id").asText();
    assertThat(id).startsWith("eval-");
    assertThat(started.body().path("baselineVersion").asInt()).isEqualTo(1);
    assertThat(started.body().path("suiteVersion").asInt()).isEqualTo(1);
    assertThat(started.body().path("requestedBy").asText()).isEqualTo("test-deployer");
    assertThat(started.body().path("progress").path("total").asInt()).isEqualTo(4);

    List<JsonNode> seen = new ArrayList<>();
    JsonNode done = awaitEnd(id, seen);
    assertThat(done.path("state").asText()).as(done.toString()).isEqualTo("PASSED");
    assertThat(done.path("gate").path("passed").asBoolean()).isTrue();
    assertThat(done.path("gate").path("reason").asText())
        .startsWith("eval suite evals-faq v1 passed: candidate v3 2/2 cases passed");
    assertThat(done.path("gate").path("rules").path("minPassRate").asDouble()).isEqualTo(0.8);
    assertThat(done.path("progress").toString()).isEqualTo("{\"done\":4,\"total\":4}");
    assertThat(done.path("candidate").path("passRate").asDouble()).isEqualTo(1.0);
    assertThat(done.path("baseline").path("version").asInt()).isEqualTo(1);
    assertThat(done.path("finishedAt").isNull()).isFalse();
    JsonNode cases = done.path("cases");
    assertThat(cases).hasSize(2);
    assertThat(cases.get(0).path("id").asText()).isEqualTo("order");
    assertThat(cases.get(0).path("passed").asBoolean()).isTrue();
    assertThat(cases.get(0).path("candidate").path("output").asText())
        .startsWith("Simulated answer");
    assertThat(cases.get(0).path("baseline").path("version").asInt()).isEqualTo(1);
    // every answer read on the way counted up, never down, and said RUNNING until the end
    List<Integer> progress =
        seen.stream().map(v -> v.path("progress").path("done").asInt()).toList();
    assertThat(progress).isSorted();
    seen.subList(0, seen.size() - 1)
        .forEach(v -> assertThat(v.path("state").asText()).isEqualTo("RUNNING"));

    // The audit log has the start, by the key that asked.
    JsonNode audit = new Http(APP).get("/v1/audit?prompt=" + PROMPT).body();
    assertThat(audit.path("entries").toString())
        .contains("\"action\":\"eval.start\"")
        .contains("\"actor\":\"test-deployer\"")
        .contains(id);
  }

  @Test
  void aWeakCandidateFailsTheGateWithItsReasonAndFailedCases() {
    Reply started = deployer.post("/v1/evals", body(2, ", \"baselineVersion\": 3"));
    assertThat(started.status()).as(String.valueOf(started.body())).isEqualTo(202);
    JsonNode done = awaitEnd(started.body().path("id").asText(), new ArrayList<>());

    assertThat(done.path("state").asText()).as(done.toString()).isEqualTo("FAILED");
    assertThat(done.path("baselineVersion").asInt()).isEqualTo(3);
    assertThat(done.path("gate").path("passed").asBoolean()).isFalse();
    assertThat(done.path("reason").asText())
        .startsWith("eval suite evals-faq v1 blocked the candidate: pass rate 0.0% below");
    JsonNode order = done.path("cases").get(0);
    assertThat(order.path("passed").asBoolean()).isFalse();
    assertThat(order.path("candidate").path("assertions").toString())
        .contains("\"type\":\"judge\",\"passed\":false");
    assertThat(order.path("baseline").path("passed").asBoolean()).isTrue();
  }

  @Test
  void aModelThatKeepsFailingIsAnErrorWithTheReasonNotAGateFailure() {
    Reply started = deployer.post("/v1/evals", body(4, ""));
    assertThat(started.status()).as(String.valueOf(started.body())).isEqualTo(202);
    JsonNode done = awaitEnd(started.body().path("id").asText(), new ArrayList<>());

    assertThat(done.path("state").asText()).as(done.toString()).isEqualTo("ERROR");
    assertThat(done.path("gate").path("passed").isNull()).isTrue();
    assertThat(done.path("reason").asText())
        .contains("could not finish")
        .contains("model call failed");
  }

  @Test
  void theSameRequestIdIsTheSameEvalAndAnotherRequestUnderItIsAConflict() {
    Reply first = deployer.post("/v1/evals", body(3, ", \"requestId\": \"ci-run-7\""));
    assertThat(first.status()).as(String.valueOf(first.body())).isEqualTo(202);
    assertThat(first.body().path("id").asText()).isEqualTo("eval-ci-run-7");

    Reply again = deployer.post("/v1/evals", body(3, ", \"requestId\": \"ci-run-7\""));
    assertThat(again.status()).as(String.valueOf(again.body())).isEqualTo(200);
    assertThat(again.body().path("id").asText()).isEqualTo("eval-ci-run-7");

    Reply other = deployer.post("/v1/evals", body(2, ", \"requestId\": \"ci-run-7\""));
    assertThat(other.status()).isEqualTo(409);
    assertThat(other.body().path("field").asText()).isEqualTo("requestId");
    assertThat(other.body().path("message").asText()).contains("prompt evals@3");

    awaitEnd("eval-ci-run-7", new ArrayList<>());
    JsonNode audit = new Http(APP).get("/v1/audit?prompt=" + PROMPT + "&limit=500").body();
    assertThat(
            audit.path("entries").findValuesAsText("action").stream().filter("eval.start"::equals))
        .isNotEmpty();
    long starts = 0;
    for (JsonNode e : audit.path("entries")) {
      if (e.path("after").toString().contains("eval-ci-run-7")) {
        starts++;
      }
    }
    assertThat(starts).as("one start audited for the one eval").isEqualTo(1);
  }

  @Test
  void badRequestsAreRefusedNamingTheFieldAndStartNothing() {
    record Bad(String body, int status, String field, String message) {}
    List<Bad> cases =
        List.of(
            new Bad(
                "{\"suite\": \"evals-faq\", \"prompt\": \"nope\", \"candidateVersion\": 1}",
                404,
                "prompt",
                "no prompt named 'nope'"),
            new Bad(body(9, ""), 422, "candidateVersion", "prompt 'evals' has no version 9"),
            new Bad(
                body(3, ", \"baselineVersion\": 8"),
                422,
                "baselineVersion",
                "prompt 'evals' has no version 8"),
            new Bad(
                body(3, ", \"baselineVersion\": 3"),
                422,
                "baselineVersion",
                "baselineVersion 3 is the candidate itself"),
            new Bad(
                "{\"suite\": \"missing\", \"prompt\": \"evals\", \"candidateVersion\": 3}",
                422,
                "suite",
                "no eval suite named 'missing'"),
            new Bad(
                "{\"suite\": \"evals-faq@7\", \"prompt\": \"evals\", \"candidateVersion\": 3}",
                422,
                "suite",
                "eval suite 'evals-faq' has no version 7"),
            new Bad(
                "{\"prompt\": \"evals\", \"candidateVersion\": 3}",
                422,
                "suite",
                "must not be blank"),
            new Bad(
                "{\"suite\": \"evals-faq\", \"prompt\": \"evals\"}",
                422,
                "candidateVersion",
                "must not be null"),
            new Bad(
                body(3, ", \"requestId\": \"has space\""),
                422,
                "requestId",
                "must be 1-100 of letters"),
            new Bad(body(3, ", \"colour\": \"red\""), 400, "colour", "colour"));
    for (Bad bad : cases) {
      Reply reply = deployer.post("/v1/evals", bad.body());
      assertThat(reply.status()).as(bad.body() + " -> " + reply.body()).isEqualTo(bad.status());
      assertThat(reply.body().path("field").asText()).as(bad.body()).isEqualTo(bad.field());
      assertThat(reply.body().path("message").asText()).as(bad.body()).contains(bad.message());
    }
    Reply unknown = new Http(APP).as(Role.READER).get("/v1/evals/eval-never-started");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.body().path("field").asText()).isEqualTo("id");
    // a rollout's eval is read at /v1/rollouts/{id}/eval, not here
    assertThat(new Http(APP).get("/v1/evals/rollout-evals-2").status()).isEqualTo(404);
  }
}
