package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import dev.promptcanary.api.TestApps.Http;
import dev.promptcanary.api.TestApps.Http.Reply;
import dev.promptcanary.api.auth.Role;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.StringJoiner;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The rollout controls of issue 14 through the REST API on the embedded stack: a stage that waits
 * for approval, a notify-only rollout of a worse candidate, a dry-run gate, and the 4xx answers for
 * their spec fields.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ApprovalEndToEndTest {
  static final EmbeddedStack APP = EmbeddedStack.embedded();
  static final TestDatabase DB = APP.db();
  final Http http = new Http(APP);
  final Http deployer = http.as(Role.DEPLOYER);
  final RolloutDriver rollouts = new RolloutDriver(http);

  /** Sessions of one request each resolve, get served and report; v2's scores move by shift. */
  private void traffic(String prompt, int sessions, double candidateShift, long seed) {
    Random random = new Random(seed);
    StringJoiner observations = RolloutDriver.batch("observations");
    StringJoiner judgements = RolloutDriver.batch("judgements");
    for (int i = 0; i < sessions; i++) {
      String unit = prompt + "-s-" + seed + "-" + i;
      int version =
          http.get("/v1/prompts/" + prompt + "/resolve?unit=" + unit).body().get("version").asInt();
      double score =
          Math.max(
              0,
              Math.min(1, 0.8 + random.nextGaussian() * 0.1 + (version == 2 ? candidateShift : 0)));
      String servedAt = Instant.now().toString();
      observations.add(
          """
          {"requestId":"%s-r","prompt":"%s","version":%d,"unit":"%s","latencyMs":%.1f,"inputTokens":300,
           "outputTokens":90,"cost":0.0004,"error":false,"safetyFlag":false,"observedAt":"%s"}"""
              .formatted(unit, prompt, version, unit, 400 + random.nextDouble() * 400, servedAt));
      judgements.add(
          """
          {"requestId":"%s-r","prompt":"%s","version":%d,"judge":"sim-judge","score":%.4f,"judgedAt":"%s"}"""
              .formatted(unit, prompt, version, score, servedAt));
    }
    assertThat(http.post("/v1/observations", observations.toString()).status()).isEqualTo(200);
    assertThat(http.post("/v1/judgements", judgements.toString()).status()).isEqualTo(200);
  }

  private String start(String prompt, String extra) {
    Reply started =
        deployer.post(
            "/v1/rollouts",
            """
            {"prompt": "%s", "candidateVersion": 2, "checkIntervalSeconds": 1, %s}"""
                .formatted(prompt, extra));
    assertThat(started.status()).as(String.valueOf(started.body())).isEqualTo(201);
    return started.body().get("id").asText();
  }

  @Test
  void aStageThatRequiresApprovalWaitsForADeployersApprove() {
    rollouts.twoVersions("approved");
    String id =
        start(
            "approved",
            """
            "gates": {"latency": {"margin": 0.08, "promotionConfidence": 0},
                      "sampleRatio": {"relativeTolerance": 0.5}},
            "inconclusivePolicy": "ROLLBACK",
            "stages": [{"weightBp": 5000, "minJudgements": 50, "minBakeSeconds": 0,
                        "maxBakeSeconds": 600, "requireApproval": true}]""");
    rollouts.awaitRollout(id, r -> r.get("state").asText().equals("CANARY"), 30_000);
    assertThat(
            http.get("/v1/rollouts/" + id).body().at("/spec/stages/0/requireApproval").asBoolean())
        .isTrue();
    Reply early = deployer.post("/v1/rollouts/" + id + "/approve", "{\"reason\": \"early\"}");
    assertThat(early.status()).as(String.valueOf(early.body())).isEqualTo(409);
    assertThat(early.body().get("message").asText()).contains("not awaiting approval");

    rollouts.trafficUntil(
        id,
        state -> state.equals("AWAITING_APPROVAL"),
        300,
        round -> traffic("approved", 200, 0.0, 10 + round));
    JsonNode waiting =
        rollouts.awaitRollout(id, r -> r.get("state").asText().equals("AWAITING_APPROVAL"), 10_000);
    assertThat(waiting.get("reason").asText()).contains("waits for approval");
    assertThat(waiting.at("/live/state").asText()).isEqualTo("AWAITING_APPROVAL");
    assertThat(http.get("/v1/rollouts?state=AWAITING_APPROVAL").body().findValuesAsText("id"))
        .containsExactly(id);

    String page =
        APP.client()
            .target("http://localhost:" + APP.getLocalPort() + "/ui/rollouts/" + id)
            .request(jakarta.ws.rs.core.MediaType.TEXT_HTML)
            .header("Authorization", "Bearer " + TestKeys.key(DB, Role.DEPLOYER))
            .get(String.class);
    assertThat(page).contains("AWAITING_APPROVAL", "data-action=\"approve\"");

    Reply asReader =
        http.as(Role.READER).post("/v1/rollouts/" + id + "/approve", "{\"reason\": \"ok\"}");
    assertThat(asReader.status()).isEqualTo(403);
    Reply noReason = deployer.post("/v1/rollouts/" + id + "/approve", "{}");
    assertThat(noReason.status()).isEqualTo(422);
    assertThat(noReason.body().get("field").asText()).isEqualTo("reason");

    Reply approved =
        deployer.post("/v1/rollouts/" + id + "/approve", "{\"reason\": \"dashboards are fine\"}");
    assertThat(approved.status()).as(String.valueOf(approved.body())).isEqualTo(200);
    assertThat(approved.body().get("message").asText()).isEqualTo("approved: promoting to 100%");
    JsonNode promoted =
        rollouts.awaitRollout(id, r -> r.get("state").asText().equals("PROMOTED"), 30_000);
    assertThat(promoted.at("/checkpoint/timeline").findValuesAsText("event"))
        .containsSubsequence("stage 1 passed", "awaiting approval", "approved", "promoted");
    long audited =
        await("the approve in the audit log")
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    DB.jdbi()
                        .withHandle(
                            h ->
                                h.select(
                                        "SELECT count(*) FROM audit_log WHERE rollout_id = ?"
                                            + " AND action = 'rollout.approve'"
                                            + " AND reason = 'dashboards are fine'",
                                        id)
                                    .mapTo(Long.class)
                                    .one()),
                n -> n >= 1);
    assertThat(audited).isEqualTo(1);
  }

  @Test
  void aNotifyOnlyRolloutOfAWorseCandidateAlertsAndIsNotRolledBackAndADryRunGateIsShown() {
    rollouts.twoVersions("notified");
    String id =
        start(
            "notified",
            """
            "mode": "notify-only", "inconclusivePolicy": "HOLD",
            "gates": {"latency": {"margin": 0.08, "promotionConfidence": 0},
                      "sampleRatio": {"relativeTolerance": 0.5}, "errorRate": {"dryRun": true}},
            "stages": [{"weightBp": 5000, "minJudgements": 50, "minBakeSeconds": 0,
                        "maxBakeSeconds": 900}]""");
    rollouts.awaitRollout(id, r -> r.get("state").asText().equals("CANARY"), 30_000);
    assertThat(http.get("/v1/rollouts/" + id).body().at("/spec/mode").asText())
        .isEqualTo("notify-only");

    long deadline = System.currentTimeMillis() + 240_000;
    JsonNode rollout = http.get("/v1/rollouts/" + id).body();
    for (int round = 0;
        System.currentTimeMillis() < deadline && !notified(rollout) && isCanary(rollout);
        round++) {
      traffic("notified", 200, -0.15, 500 + round);
      rollout = http.get("/v1/rollouts/" + id).body();
    }

    assertThat(rollout.get("state").asText()).as("never rolled back").isEqualTo("CANARY");
    assertThat(notified(rollout)).as(rollout.at("/checkpoint/timeline").toString()).isTrue();
    JsonNode verdicts = rollout.at("/checkpoint/lastVerdicts");
    JsonNode quality = find(verdicts, "QUALITY");
    assertThat(quality.get("decision").asText()).isEqualTo("REGRESSION");
    assertThat(quality.get("dryRun").asBoolean()).isFalse();
    assertThat(verdicts.get(0).get("reason").asText())
        .startsWith("notify-only, regression not acted on (quality)");
    JsonNode errors = find(verdicts, "ERROR_RATE");
    assertThat(errors.get("dryRun").asBoolean()).isTrue();
    assertThat(errors.get("reason").asText()).startsWith("dry run, not deciding: ");
    long alerts =
        DB.jdbi()
            .withHandle(
                h ->
                    h.select(
                            "SELECT count(*) FROM alerts WHERE rollout_id = ?"
                                + " AND event = 'regression_notified'",
                            id)
                        .mapTo(Long.class)
                        .one());
    assertThat(alerts).as("alerted once").isEqualTo(1);
    assertThat(deployer.post("/v1/rollouts/" + id + "/abort", "{\"reason\": \"real\"}").status())
        .isEqualTo(200);
  }

  private static boolean notified(JsonNode rollout) {
    return rollout
        .at("/checkpoint/timeline")
        .findValuesAsText("event")
        .contains("regression notified");
  }

  private static boolean isCanary(JsonNode rollout) {
    return rollout.get("state").asText().equals("CANARY");
  }

  private static JsonNode find(JsonNode verdicts, String gate) {
    return StreamSupport.stream(verdicts.spliterator(), false)
        .filter(v -> v.get("gate").asText().equals(gate))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + gate + " in " + verdicts));
  }

  @Test
  void theNewSpecFieldsAreCheckedWithTheFieldNamed() {
    rollouts.twoVersions("refused");
    record Case(String extra, int status, String field) {}
    for (Case c :
        new Case[] {
          new Case(
              "\"stages\": [{\"weightBp\": 500, \"approvalTimeoutSeconds\": 60}]",
              422,
              "stages[0].approvalTimeoutSeconds"),
          new Case(
              "\"stages\": [{\"weightBp\": 500}, {\"weightBp\": 900, \"onApprovalTimeout\": \"PROMOTE\"}]",
              422,
              "stages[1].onApprovalTimeout"),
          new Case(
              "\"stages\": [{\"weightBp\": 500, \"requireApproval\": true,"
                  + " \"onApprovalTimeout\": \"ROLLBACK\"}]",
              422,
              "stages[0].onApprovalTimeout"),
          new Case(
              "\"stages\": [{\"weightBp\": 500, \"requireApproval\": true,"
                  + " \"approvalTimeoutSeconds\": 0}]",
              422,
              "stages[0].approvalTimeoutSeconds"),
          new Case(
              "\"stages\": [{\"weightBp\": 500, \"requireApproval\": true,"
                  + " \"onApprovalTimeout\": \"SHRUG\", \"approvalTimeoutSeconds\": 60}]",
              400,
              "stages[0].onApprovalTimeout"),
          new Case(
              "\"stages\": [{\"weightBp\": 500, \"requireApproval\": \"yes\"}]",
              400,
              "stages[0].requireApproval"),
          new Case("\"mode\": \"loud\"", 400, "mode"),
          new Case("\"mode\": \"NOTIFY_ONLY\"", 400, "mode"),
          new Case("\"gates\": {\"quality\": {\"dryRun\": true}}", 422, "gates"),
          new Case("\"gates\": {\"errorRate\": {\"dryRun\": 1}}", 422, "gates.errorRate.dryRun"),
        }) {
      Reply refused =
          deployer.post(
              "/v1/rollouts",
              "{\"prompt\": \"refused\", \"candidateVersion\": 2, " + c.extra() + "}");
      assertThat(refused.status()).as(c.extra() + " -> " + refused.body()).isEqualTo(c.status());
      assertThat(refused.body().get("field").asText()).as(c.extra()).isEqualTo(c.field());
    }
    assertThat(http.get("/v1/rollouts?prompt=refused").body()).as("nothing started").isEmpty();
  }
}
