package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.promptcanary.api.TestApps.Http;
import dev.promptcanary.api.TestApps.Http.Reply;
import dev.promptcanary.testkit.ModelSimulator;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A rollout's offline eval on the embedded stack: the worker runs the suite against the model
 * SIMULATOR over loopback HTTP (the real client and judge), blocks a candidate below the gate and
 * lets a good one take traffic.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class RolloutEvalTest {
  static final EmbeddedStack APP =
      EmbeddedStack.withModels(
          config -> {
            // a model that does not answer should block the eval in seconds, not minutes
            config.getModel().setTimeout(io.dropwizard.util.Duration.seconds(2));
            config.getModel().setMaxRetries(1);
          });
  static final ModelSimulator SIMULATOR = APP.simulator();
  final Http http = new Http(APP);

  private void version(String quality) {
    version("evaluated", quality);
  }

  private void version(String prompt, String quality) {
    Reply created =
        http.post(
            "/v1/prompts/" + prompt + "/versions",
            """
        {"systemPrompt": "[sim quality=%s] You answer support questions.", "template": "{{question}}",
         "model": "sim-model", "author": "ana"}"""
                .formatted(quality));
    assertThat(created.status()).isIn(200, 201);
  }

  private JsonNode awaitFinalOrCanary(String id) {
    return await("rollout " + id + " past its eval")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> http.get("/v1/rollouts/" + id).body(),
            r -> !r.get("state").asText().equals("PENDING_EVAL"));
  }

  @Test
  void theOfflineEvalBlocksAWeakCandidateAndPassesAGoodOne() throws Exception {
    version("0.9");
    version("0.3");
    version("0.92");
    Reply suite =
        http.post(
            "/v1/eval-suites",
            """
        {"name": "faq", "author": "ana",
         "cases": [
           {"id": "c1", "variables": {"question": "Where is my order?"},
            "assertions": [{"type": "contains", "value": "Simulated answer"},
                           {"type": "judge", "rubric": "Is the answer helpful?", "threshold": 0.6}]},
           {"id": "c2", "variables": {"question": "Can I get a refund?"},
            "assertions": [{"type": "judge", "rubric": "Is the answer helpful?", "threshold": 0.6}]},
           {"id": "c3", "variables": {"question": "How do I reset my password?"},
            "assertions": [{"type": "max_length", "max": 2000},
                           {"type": "judge", "rubric": "Is the answer helpful?", "threshold": 0.6}]}],
         "gate": {"minPassRate": 0.8, "minMeanJudgeScore": 0.6, "maxDropVsBaseline": 0.1}}""");
    assertThat(suite.status()).as(String.valueOf(suite.body())).isEqualTo(201);

    Reply weak =
        http.post(
            "/v1/rollouts",
            "{\"prompt\": \"evaluated\", \"candidateVersion\": 2, \"evalSuite\": \"faq\", \"startedBy\": \"ana\"}");
    assertThat(weak.status()).as(String.valueOf(weak.body())).isEqualTo(201);
    String weakId = weak.body().get("id").asText();
    JsonNode blocked = awaitFinalOrCanary(weakId);
    assertThat(blocked.get("state").asText()).as(blocked.toString()).isEqualTo("EVAL_BLOCKED");
    JsonNode report = http.get("/v1/rollouts/" + weakId + "/eval").body();
    assertThat(report.toString()).contains("c1", "c2", "c3");
    assertThat(http.get("/v1/prompts/evaluated/routing").body().get("canaryVersion").isNull())
        .isTrue();

    Reply good =
        http.post(
            "/v1/rollouts",
            "{\"prompt\": \"evaluated\", \"candidateVersion\": 3, \"evalSuite\": \"faq\", \"startedBy\": \"ana\"}");
    assertThat(good.status()).as(String.valueOf(good.body())).isEqualTo(201);
    String goodId = good.body().get("id").asText();
    JsonNode canary = awaitFinalOrCanary(goodId);
    assertThat(canary.get("state").asText()).as(canary.toString()).isEqualTo("CANARY");
    assertThat(http.get("/v1/prompts/evaluated/routing").body().get("canaryVersion").asInt())
        .isEqualTo(3);
    http.post(
        "/v1/rollouts/" + goodId + "/abort", "{\"actor\": \"ana\", \"reason\": \"end of test\"}");
  }

  @Test
  void aModelThatTimesOutBlocksTheEvalWithTheReasonInTheRollout() throws Exception {
    version("slow", "0.9");
    version("slow", "0.95");
    Reply suite =
        http.post(
            "/v1/eval-suites",
            """
        {"name": "slow-faq", "author": "ana",
         "cases": [{"id": "c1", "variables": {"question": "Where is my order?"},
                    "assertions": [{"type": "contains", "value": "Simulated answer"}]}],
         "gate": {"minPassRate": 0.8}}""");
    assertThat(suite.status()).as(String.valueOf(suite.body())).isEqualTo(201);
    SIMULATOR.hangNext(1000, java.time.Duration.ofSeconds(20));
    try {
      Reply started =
          http.post(
              "/v1/rollouts",
              "{\"prompt\": \"slow\", \"candidateVersion\": 2, \"evalSuite\": \"slow-faq\", \"startedBy\": \"ana\"}");
      assertThat(started.status()).as(String.valueOf(started.body())).isEqualTo(201);
      JsonNode blocked = awaitFinalOrCanary(started.body().get("id").asText());

      assertThat(blocked.get("state").asText()).as(blocked.toString()).isEqualTo("EVAL_BLOCKED");
      assertThat(blocked.get("reason").asText())
          .contains("eval suite slow-faq v1 could not finish: case 'c1'")
          .contains("model call failed")
          .contains("failed after 2 attempts: no answer within 2000 ms");
      assertThat(blocked.get("checkpoint").get("timeline").findValuesAsText("event"))
          .contains("eval_blocked");
      assertThat(http.get("/v1/prompts/slow/routing").body().get("canaryVersion").isNull())
          .as("a blocked candidate never takes traffic")
          .isTrue();
    } finally {
      SIMULATOR.hangNext(0, java.time.Duration.ZERO);
    }
  }
}
