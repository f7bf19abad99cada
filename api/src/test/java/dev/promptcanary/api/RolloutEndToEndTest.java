package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import dev.promptcanary.api.TestApps.Http;
import dev.promptcanary.api.TestApps.Http.Reply;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.time.Duration;
import java.util.Random;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Rollouts through the REST API on the embedded stack (Temporal's test server on a real port, in
 * real time, the worker in-process, real PostgreSQL), with simulated traffic from many sessions:
 * apps resolve, serve, and report outcomes and judge scores, and the rollout decides.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class RolloutEndToEndTest {
  static final EmbeddedStack APP = EmbeddedStack.embedded();
  static final TestDatabase DB = APP.db();
  final Http http = new Http(APP);
  final RolloutDriver rollouts = new RolloutDriver(http);

  /**
   * Sessions resolve, get served, and report; the candidate's judge scores are shifted by {@code
   * candidateShift}.
   */
  private void simulateTraffic(String prompt, int sessions, double candidateShift, long seed) {
    Random random = new Random(seed);
    StringJoiner observations = RolloutDriver.batch("observations");
    StringJoiner judgements = RolloutDriver.batch("judgements");
    int inBatch = 0;
    for (int i = 0; i < sessions; i++) {
      String unit = prompt + "-session-" + seed + "-" + i;
      JsonNode served = http.get("/v1/prompts/" + prompt + "/resolve?unit=" + unit).body();
      int version = served.get("version").asInt();
      double score =
          Math.max(
              0,
              Math.min(1, 0.8 + random.nextGaussian() * 0.1 + (version == 2 ? candidateShift : 0)));
      String requestId = unit + "-r";
      // Apps report when the request was served: a batch sent after a weight change still counts
      // where it belongs.
      String servedAt = java.time.Instant.now().toString();
      observations.add(
          """
          {"requestId":"%s","prompt":"%s","version":%d,"unit":"%s","latencyMs":%.1f,"inputTokens":300,
           "outputTokens":%d,"cost":%.6f,"error":false,"safetyFlag":false,"observedAt":"%s"}"""
              .formatted(
                  requestId,
                  prompt,
                  version,
                  unit,
                  400 + random.nextDouble() * 400,
                  80 + random.nextInt(40),
                  0.0004 + random.nextDouble() * 0.0001,
                  servedAt));
      judgements.add(
          """
          {"requestId":"%s","prompt":"%s","version":%d,"judge":"sim-judge","score":%.4f,"judgedAt":"%s"}"""
              .formatted(requestId, prompt, version, score, servedAt));
      if (++inBatch == 250 || i == sessions - 1) {
        assertThat(http.post("/v1/observations", observations.toString()).status()).isEqualTo(200);
        assertThat(http.post("/v1/judgements", judgements.toString()).status()).isEqualTo(200);
        observations = RolloutDriver.batch("observations");
        judgements = RolloutDriver.batch("judgements");
        inBatch = 0;
      }
    }
  }

  /**
   * The version resolve serves the unit once it serves {@code expected}, within 10 s: it answers
   * from memory, which hears of routing changes within about a second.
   */
  private int awaitServed(String prompt, String unit, int expected) {
    return await(prompt + " serving v" + expected + " to " + unit)
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                http.get("/v1/prompts/" + prompt + "/resolve?unit=" + unit)
                    .body()
                    .get("version")
                    .asInt(),
            served -> served == expected);
  }

  @Test
  void aCandidateWorseByATenthInJudgeScoreIsRolledBackAutomatically() throws Exception {
    rollouts.twoVersions("worse");
    String id =
        rollouts.startRollout(
            "worse",
            "[{\"weightBp\": 5000, \"minJudgements\": 50, \"minBakeSeconds\": 0, \"maxBakeSeconds\": 600}]");
    assertThat(
            rollouts
                .awaitRollout(id, r -> r.get("state").asText().equals("CANARY"), 30_000)
                .get("state")
                .asText())
        .isEqualTo("CANARY");

    // until it decides; the bound is a backstop for a loaded machine (see the promotion test)
    rollouts.trafficUntil(
        id,
        state -> !state.equals("CANARY"),
        180,
        round -> simulateTraffic("worse", 200, -0.10, round));
    JsonNode rollout =
        rollouts.awaitRollout(id, r -> r.get("state").asText().equals("ROLLED_BACK"), 30_000);
    assertThat(rollout.get("state").asText()).isEqualTo("ROLLED_BACK");
    assertThat(rollout.get("reason").asText()).contains("regression").contains("quality");

    JsonNode routing = http.get("/v1/prompts/worse/routing").body();
    assertThat(routing.get("stableVersion").asInt()).isEqualTo(1);
    assertThat(routing.get("canaryVersion").isNull()).isTrue();
    assertThat(routing.get("rolloutId").isNull()).isTrue();
    for (int i = 0; i < 50; i++) {
      assertThat(awaitServed("worse", "after-" + i, 1)).isEqualTo(1);
    }
  }

  @Test
  void aGoodCandidateIsPromotedThroughEveryStage() throws Exception {
    rollouts.twoVersions("better");
    String id =
        rollouts.startRollout(
            "better",
            "[{\"weightBp\": 3000, \"minJudgements\": 100, \"minBakeSeconds\": 0, \"maxBakeSeconds\": 600},"
                + " {\"weightBp\": 5000, \"minJudgements\": 100, \"minBakeSeconds\": 0, \"maxBakeSeconds\": 600}]");
    rollouts.awaitRollout(id, r -> r.get("state").asText().equals("CANARY"), 30_000);

    Reply second =
        http.post(
            "/v1/rollouts",
            "{\"prompt\": \"better\", \"candidateVersion\": 2, \"startedBy\": \"x\"}");
    assertThat(second.status()).isEqualTo(409);

    // Traffic until the rollout decides, however long this machine takes to send enough: the
    // bound is a backstop, not the expected time (under load the sample-ratio gate of stage 2 was
    // still inconclusive when a 120 s bound ran out, and the wait after it had no traffic to go
    // on). Any decision ends the traffic, so a rollback fails the assertion below at once.
    rollouts.trafficUntil(
        id,
        state -> !state.equals("CANARY"),
        300,
        round -> simulateTraffic("better", 250, 0.0, 100 + round));
    JsonNode rollout =
        rollouts.awaitRollout(id, r -> !r.get("state").asText().equals("CANARY"), 30_000);
    assertThat(rollout.get("state").asText()).as(rollout.toString()).isEqualTo("PROMOTED");
    assertThat(http.get("/v1/prompts/better/routing").body().get("stableVersion").asInt())
        .isEqualTo(2);
    assertThat(awaitServed("better", "anyone", 2)).isEqualTo(2);
    assertThat(rollout.get("checkpoint").get("timeline").findValuesAsText("event"))
        .contains("stage 1 passed", "stage 2 passed", "promoted");

    Reply listed = http.get("/v1/rollouts?prompt=better&state=PROMOTED");
    assertThat(listed.body().findValuesAsText("id")).containsExactly(id);
  }

  @Test
  void controlsAnswerOnceTheyTookEffect() throws Exception {
    rollouts.twoVersions("steered");
    String id =
        rollouts.startRollout(
            "steered",
            "[{\"weightBp\": 1000, \"minJudgements\": 100, \"minBakeSeconds\": 0, \"maxBakeSeconds\": 600}]");
    rollouts.awaitRollout(id, r -> r.get("state").asText().equals("CANARY"), 30_000);

    Reply noReason = http.post("/v1/rollouts/" + id + "/pause", "{\"actor\": \"ana\"}");
    assertThat(noReason.status()).isEqualTo(422);
    assertThat(noReason.body().get("field").asText()).isEqualTo("reason");

    Reply paused =
        http.post(
            "/v1/rollouts/" + id + "/pause", "{\"actor\": \"ana\", \"reason\": \"checking\"}");
    assertThat(paused.status()).isEqualTo(200);
    assertThat(paused.body().get("state").asText()).isEqualTo("PAUSED");
    Reply pausedAgain =
        http.post("/v1/rollouts/" + id + "/pause", "{\"actor\": \"ana\", \"reason\": \"again\"}");
    assertThat(pausedAgain.status()).isEqualTo(409);

    Reply resumed =
        http.post("/v1/rollouts/" + id + "/resume", "{\"actor\": \"ana\", \"reason\": \"ok\"}");
    assertThat(resumed.body().get("state").asText()).isEqualTo("CANARY");

    Reply bypassed =
        http.post(
            "/v1/rollouts/" + id + "/bypass", "{\"actor\": \"bob\", \"reason\": \"incident 7\"}");
    assertThat(bypassed.body().get("state").asText()).isEqualTo("BYPASSED");
    // resolve answers from memory, which hears of the bypass's routing write within about a second
    assertThat(awaitServed("steered", "u", 2)).isEqualTo(2);

    Reply afterEnd =
        http.post("/v1/rollouts/" + id + "/abort", "{\"actor\": \"bob\", \"reason\": \"late\"}");
    assertThat(afterEnd.status()).isEqualTo(409);
    Reply unknownAction =
        http.post("/v1/rollouts/" + id + "/explode", "{\"actor\": \"bob\", \"reason\": \"x\"}");
    assertThat(unknownAction.status()).isEqualTo(404);

    // audit writes run beside the controls (they never delay an answer), so the last one may land
    // just after it
    long audited =
        await("three audit rows")
            .atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(100))
            .until(
                () ->
                    DB.jdbi()
                        .withHandle(
                            h ->
                                h.select(
                                        "SELECT count(*) FROM audit_log WHERE rollout_id = ? AND action IN"
                                            + " ('rollout.pause', 'rollout.resume', 'rollout.abort', 'rollout.bypass')",
                                        id)
                                    .mapTo(Long.class)
                                    .one()),
                rows -> rows >= 3);
    assertThat(audited).isEqualTo(3);
  }

  @Test
  void theStartNotesWhatThePlannerExpectsOfEachStage() throws Exception {
    rollouts.twoVersions("planned");
    String quiet =
        rollouts.startRollout("planned", "[{\"weightBp\": 500, \"maxBakeSeconds\": 3600}]");
    JsonNode quietRollout = rollouts.awaitRollout(quiet, r -> r.hasNonNull("live"), 30_000);
    assertThat(quietRollout.get("live").get("timeline").findValuesAsText("detail"))
        .anySatisfy(d -> assertThat(d).startsWith("no traffic for planned"));
    http.post("/v1/rollouts/" + quiet + "/abort", "{\"actor\": \"t\", \"reason\": \"replan\"}");

    simulateTraffic("planned", 400, 0.0, 77);
    String busy =
        rollouts.startRollout(
            "planned", "[{\"weightBp\": 500, \"minBakeSeconds\": 0, \"maxBakeSeconds\": 60}]");
    JsonNode rollout = rollouts.awaitRollout(busy, r -> r.hasNonNull("live"), 30_000);
    assertThat(rollout.get("live").get("timeline").findValuesAsText("detail"))
        .anySatisfy(
            d ->
                assertThat(d)
                    .startsWith("stage 1: at 5.00% of ")
                    .contains("requests/hour, the slowest gate")
                    .contains("and every gate together ~")
                    .contains("each alone: ")
                    .contains("more than its 1 min maximum bake"));
    http.post("/v1/rollouts/" + busy + "/abort", "{\"actor\": \"t\", \"reason\": \"done\"}");
  }

  @Test
  void badStartRequestsAreRefusedWithTheField() {
    rollouts.twoVersions("refused");
    Reply unknownVersion =
        http.post(
            "/v1/rollouts",
            "{\"prompt\": \"refused\", \"candidateVersion\": 9, \"startedBy\": \"x\"}");
    assertThat(unknownVersion.status()).isEqualTo(422);
    assertThat(unknownVersion.body().get("field").asText()).isEqualTo("candidateVersion");

    Reply alreadyStable =
        http.post(
            "/v1/rollouts",
            "{\"prompt\": \"refused\", \"candidateVersion\": 1, \"startedBy\": \"x\"}");
    assertThat(alreadyStable.status()).isEqualTo(422);

    Reply decreasing =
        http.post(
            "/v1/rollouts",
            "{\"prompt\": \"refused\", \"candidateVersion\": 2, \"startedBy\": \"x\","
                + " \"stages\": [{\"weightBp\": 5000}, {\"weightBp\": 500}]}");
    assertThat(decreasing.status()).isEqualTo(422);
    assertThat(decreasing.body().get("field").asText()).isEqualTo("stages[1].weightBp");

    Reply fullWeight =
        http.post(
            "/v1/rollouts",
            "{\"prompt\": \"refused\", \"candidateVersion\": 2, \"startedBy\": \"x\","
                + " \"stages\": [{\"weightBp\": 10000}]}");
    assertThat(fullWeight.status()).isEqualTo(422);
    assertThat(fullWeight.body().get("field").asText()).isEqualTo("stages[0].weightBp");

    Reply badPolicy =
        http.post(
            "/v1/rollouts",
            "{\"prompt\": \"refused\", \"candidateVersion\": 2, \"startedBy\": \"x\","
                + " \"inconclusivePolicy\": \"SHRUG\"}");
    assertThat(badPolicy.status()).isEqualTo(400);
    assertThat(badPolicy.body().get("field").asText()).isEqualTo("inconclusivePolicy");

    Reply badSrmPolicy =
        http.post(
            "/v1/rollouts",
            "{\"prompt\": \"refused\", \"candidateVersion\": 2, \"startedBy\": \"x\","
                + " \"srmPolicy\": \"SHRUG\"}");
    assertThat(badSrmPolicy.status()).isEqualTo(400);
    assertThat(badSrmPolicy.body().get("field").asText()).isEqualTo("srmPolicy");

    Reply badGate =
        http.post(
            "/v1/rollouts",
            "{\"prompt\": \"refused\", \"candidateVersion\": 2, \"startedBy\": \"x\","
                + " \"gates\": {\"quality\": {\"margin\": 3}}}");
    assertThat(badGate.status()).isEqualTo(422);
    assertThat(badGate.body().get("field").asText()).isEqualTo("gates.quality.margin");
    assertThat(badGate.body().get("message").asText()).contains("margin");

    Reply badQuantile =
        http.post(
            "/v1/rollouts",
            "{\"prompt\": \"refused\", \"candidateVersion\": 2, \"startedBy\": \"x\","
                + " \"gates\": {\"latency\": {\"quantiles\": [0.5, 1.5, 0.99]}}}");
    assertThat(badQuantile.status()).isEqualTo(422);
    assertThat(badQuantile.body().get("field").asText()).isEqualTo("gates.latency.quantiles[1]");

    Reply badMetric =
        http.post(
            "/v1/rollouts",
            "{\"prompt\": \"refused\", \"candidateVersion\": 2, \"startedBy\": \"x\","
                + " \"gates\": {\"metrics\": [{\"name\": \"Resolved!\", \"kind\": \"PROPORTION\","
                + " \"harmfulDirection\": \"DECREASE\", \"margin\": 0.02}]}}");
    assertThat(badMetric.status()).isEqualTo(422);
    assertThat(badMetric.body().get("field").asText()).isEqualTo("gates.metrics[0].name");

    String off = "{\"enabled\": false}";
    Reply nothingToCompare =
        http.post(
            "/v1/rollouts",
            "{\"prompt\": \"refused\", \"candidateVersion\": 2,"
                + " \"startedBy\": \"x\", \"gates\": {\"quality\": "
                + off
                + ", \"errorRate\": "
                + off
                + ", \"safety\": "
                + off
                + ", \"latency\": "
                + off
                + ", \"cost\": "
                + off
                + ", \"feedback\": "
                + off
                + "}}");
    assertThat(nothingToCompare.status()).isEqualTo(422);
    assertThat(nothingToCompare.body().get("field").asText()).isEqualTo("gates");
    assertThat(nothingToCompare.body().get("message").asText())
        .contains("every comparison gate is disabled");

    Reply noEvidence =
        http.post(
            "/v1/rollouts",
            "{\"prompt\": \"refused\", \"candidateVersion\": 2,"
                + " \"startedBy\": \"x\", \"gates\": {\"quality\": "
                + off
                + "}}");
    assertThat(noEvidence.status()).isEqualTo(422);
    assertThat(noEvidence.body().get("message").asText())
        .contains("no enabled gate needs evidence");

    Reply unknownGate =
        http.post(
            "/v1/rollouts",
            "{\"prompt\": \"refused\", \"candidateVersion\": 2, \"startedBy\": \"x\","
                + " \"gates\": {\"quality\": {\"marjin\": 0.1}}}");
    assertThat(unknownGate.status()).isEqualTo(422);
    assertThat(unknownGate.body().get("field").asText()).isEqualTo("gates.quality.marjin");

    Reply badHook =
        http.post(
            "/v1/rollouts",
            "{\"prompt\": \"refused\", \"candidateVersion\": 2, \"startedBy\": \"x\","
                + " \"alertWebhook\": \"ftp://nope\"}");
    assertThat(badHook.status()).isEqualTo(422);
    assertThat(badHook.body().get("field").asText()).isEqualTo("alertWebhook");

    assertThat(http.get("/v1/rollouts?prompt=refused").body()).isEmpty();
    assertThat(http.get("/v1/rollouts/nope").status()).isEqualTo(404);
  }

  @Test
  void aRolloutPinsTheJudgeItIsGivenAndRejectsABlankOne() throws Exception {
    rollouts.twoVersions("pinned");
    Reply blank =
        http.post(
            "/v1/rollouts",
            "{\"prompt\": \"pinned\", \"candidateVersion\": 2, \"startedBy\": \"ana\", \"judge\": \"\"}");
    assertThat(blank.status()).isEqualTo(422);
    assertThat(blank.body().toString()).contains("judge");

    Reply started =
        http.post(
            "/v1/rollouts",
            "{\"prompt\": \"pinned\", \"candidateVersion\": 2, \"startedBy\": \"ana\", \"judge\": \"gpt-4o/rubric-7\"}");
    assertThat(started.status()).as(String.valueOf(started.body())).isEqualTo(201);
    String id = started.body().get("id").asText();
    JsonNode rollout =
        rollouts.awaitRollout(id, r -> r.get("state").asText().equals("CANARY"), 30_000);
    assertThat(rollout.get("spec").get("judge").asText()).isEqualTo("gpt-4o/rubric-7");
    assertThat(rollout.get("checkpoint").get("timeline").findValuesAsText("detail"))
        .contains("quality counts the scores of judge gpt-4o/rubric-7 only");
    http.post("/v1/rollouts/" + id + "/abort", "{\"actor\": \"ana\", \"reason\": \"end of test\"}");
  }

  @Test
  void aSampleRatioMismatchHoldsUnlessTheRolloutAsksToRollBack() throws Exception {
    rollouts.twoVersions("srm-default");
    Reply byDefault =
        http.post(
            "/v1/rollouts",
            "{\"prompt\": \"srm-default\", \"candidateVersion\": 2, \"startedBy\": \"ana\"}");
    assertThat(byDefault.status()).as(String.valueOf(byDefault.body())).isEqualTo(201);
    assertThat(byDefault.body().get("spec").get("srmPolicy").asText()).isEqualTo("HOLD");
    http.post(
        "/v1/rollouts/" + byDefault.body().get("id").asText() + "/abort",
        "{\"actor\": \"ana\", \"reason\": \"end of test\"}");

    rollouts.twoVersions("srm-rollback");
    Reply asked =
        http.post(
            "/v1/rollouts",
            "{\"prompt\": \"srm-rollback\", \"candidateVersion\": 2, \"startedBy\": \"ana\", \"srmPolicy\": \"ROLLBACK\"}");
    assertThat(asked.status()).as(String.valueOf(asked.body())).isEqualTo(201);
    String id = asked.body().get("id").asText();
    JsonNode rollout =
        rollouts.awaitRollout(id, r -> r.get("state").asText().equals("CANARY"), 30_000);
    assertThat(rollout.get("spec").get("srmPolicy").asText()).isEqualTo("ROLLBACK");
    http.post("/v1/rollouts/" + id + "/abort", "{\"actor\": \"ana\", \"reason\": \"end of test\"}");
  }
}
