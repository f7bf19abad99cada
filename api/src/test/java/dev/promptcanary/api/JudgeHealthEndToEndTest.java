package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import dev.promptcanary.api.TestApps.Http;
import dev.promptcanary.api.TestApps.Http.Reply;
import dev.promptcanary.testkit.ModelSimulator;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.time.Duration;
import java.time.Instant;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Live judging on the embedded stack with the SIMULATOR's judge answering garbage: every
 * transcript's judging fails, the failures are stored, and the rollout holds instead of deciding on
 * no (or biased) quality data. Once the judge is fixed and someone resumes, the stage starts over.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class JudgeHealthEndToEndTest {
  static final EmbeddedStack APP = EmbeddedStack.withModels();
  static final ModelSimulator SIMULATOR = APP.simulator();
  static final TestDatabase DB = APP.db();
  final Http http = new Http(APP);

  private JsonNode rollout(String id) {
    return http.get("/v1/rollouts/" + id).body();
  }

  private JsonNode awaitState(String id, String state, long timeoutMillis) {
    return await("rollout " + id + " in " + state)
        .atMost(Duration.ofMillis(timeoutMillis))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> rollout(id), rollout -> rollout.get("state").asText().equals(state));
  }

  /**
   * What an app does for each request: resolve, serve, report the outcome and a transcript for
   * judging.
   */
  private void serve(String prompt, int sessions, int round) {
    StringJoiner observations = new StringJoiner(",", "{\"observations\":[", "]}");
    StringJoiner transcripts = new StringJoiner(",", "{\"transcripts\":[", "]}");
    for (int i = 0; i < sessions; i++) {
      String unit = "session-" + round + "-" + i;
      int version =
          http.get("/v1/prompts/" + prompt + "/resolve?unit=" + unit).body().get("version").asInt();
      String requestId = unit + "-r";
      observations.add(
          """
          {"requestId":"%s","prompt":"%s","version":%d,"unit":"%s","latencyMs":500,"inputTokens":300,
           "outputTokens":90,"cost":0.0004,"error":false,"safetyFlag":false,"observedAt":"%s"}"""
              .formatted(requestId, prompt, version, unit, Instant.now()));
      transcripts.add(
          """
          {"requestId":"%s","prompt":"%s","version":%d,"unit":"%s","input":"Where is my order?",
           "output":"It ships today. [sim-quality=0.8]"}"""
              .formatted(requestId, prompt, version, unit));
    }
    assertThat(http.post("/v1/observations", observations.toString()).status()).isEqualTo(200);
    assertThat(http.post("/v1/transcripts", transcripts.toString()).status()).isEqualTo(202);
  }

  @Test
  void aJudgeAnsweringGarbageHoldsTheRolloutUntilSomeoneResumesIt() throws Exception {
    assertThat(http.post("/v1/prompts/judged/versions", TestApps.version(1)).status())
        .isEqualTo(201);
    assertThat(http.post("/v1/prompts/judged/versions", TestApps.version(2)).status())
        .isEqualTo(201);
    SIMULATOR.judgeGarbage(true);
    Reply started =
        http.post(
            "/v1/rollouts",
            """
        {"prompt": "judged", "candidateVersion": 2, "checkIntervalSeconds": 1, "startedBy": "ana",
         "stages": [{"weightBp": 5000, "minJudgements": 50, "minBakeSeconds": 0, "maxBakeSeconds": 600}]}""");
    assertThat(started.status()).as(String.valueOf(started.body())).isEqualTo(201);
    String id = started.body().get("id").asText();
    assertThat(awaitState(id, "CANARY", 30_000).get("state").asText()).isEqualTo("CANARY");

    // Traffic, a round at each poll, until the rollout leaves CANARY.
    AtomicInteger round = new AtomicInteger();
    await("rollout " + id + " leaving CANARY under traffic")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              if (!rollout(id).get("state").asText().equals("CANARY")) {
                return true;
              }
              serve("judged", 20, round.getAndIncrement());
              return false;
            });
    JsonNode held = awaitState(id, "PAUSED", 10_000);

    assertThat(held.get("state").asText()).as(held.toString()).isEqualTo("PAUSED");
    assertThat(held.get("reason").asText())
        .contains("judge is unhealthy")
        .contains("is failing")
        .contains("sim-judge/");
    JsonNode timeline = held.get("checkpoint").get("timeline");
    assertThat(timeline.findValuesAsText("event")).contains("held");
    assertThat(timeline.findValuesAsText("detail"))
        .anyMatch(
            d ->
                d.contains("first judge to score")
                    && d.contains("live judging here scores as sim-judge/"));
    long failures =
        DB.jdbi()
            .withHandle(
                h ->
                    h.select("SELECT count(*) FROM judge_failures WHERE prompt = 'judged'")
                        .mapTo(Long.class)
                        .one());
    long scores =
        DB.jdbi()
            .withHandle(
                h ->
                    h.select("SELECT count(*) FROM judgements WHERE prompt = 'judged'")
                        .mapTo(Long.class)
                        .one());
    assertThat(failures).isGreaterThanOrEqualTo(20);
    assertThat(scores).as("garbage is never stored as a score").isZero();
    assertThat(http.get("/v1/prompts/judged/routing").body().get("canaryWeightBp").asInt())
        .as("held at its weight, not rolled back")
        .isEqualTo(5000);

    SIMULATOR.judgeGarbage(false);
    Reply resumed =
        http.post(
            "/v1/rollouts/" + id + "/resume", "{\"actor\": \"ana\", \"reason\": \"judge fixed\"}");
    assertThat(resumed.status()).as(String.valueOf(resumed.body())).isEqualTo(200);
    assertThat(awaitState(id, "CANARY", 10_000).get("state").asText()).isEqualTo("CANARY");
    JsonNode live =
        await("the stage restarted")
            .atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(100))
            .until(
                () -> rollout(id).get("live"),
                l -> l.get("timeline").findValuesAsText("event").contains("stage restarted"));
    assertThat(live.get("timeline").findValuesAsText("event")).contains("stage restarted");

    http.post("/v1/rollouts/" + id + "/abort", "{\"actor\": \"ana\", \"reason\": \"end of test\"}");
  }
}
