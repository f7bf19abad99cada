package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.promptcanary.activities.ingest.Units;
import dev.promptcanary.activities.store.TestDatabases;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import dev.promptcanary.api.TestApps.Http;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.temporal.testserver.TestServer;
import java.time.Instant;
import java.util.Random;
import java.util.StringJoiner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Rollouts decided on session traffic, through the REST API on the embedded stack: each session
 * resolves once and makes several requests on that version, and its requests are alike (a session
 * effect on the judge scores, shared by all its requests). The rollout analyses per session: an
 * identical candidate is promoted through two stages, a candidate worse by 0.10 is rolled back, and
 * an app that reports no unit at all (each request its own unit) still gets a decision.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class SessionRolloutEndToEndTest {
  static final int TEMPORAL_PORT = TestApps.freePort();
  static final TestServer.PortBoundTestServer TEMPORAL =
      TestServer.createPortBoundServer(TEMPORAL_PORT, true);
  static final TestDatabase DB = TestDatabases.fresh();
  static final DropwizardAppExtension<PromptCanaryConfiguration> APP =
      TestApps.embedded(DB, TEMPORAL_PORT);
  final Http http = new Http(APP);
  final RolloutDriver rollouts = new RolloutDriver(http);

  @AfterAll
  static void stopTemporal() {
    TEMPORAL.close();
  }

  /**
   * {@code sessions} sessions: each resolves once and makes 1-8 requests (mean about 4) on the
   * version it was given. A session's scores share its effect (sd 0.1) on top of per-request noise
   * (sd 0.05): within-session correlation about 0.8. The candidate's scores are shifted by {@code
   * candidateShift}. With {@code reportUnits} false the app reports neither unit nor anything else
   * that ties requests together. Judge scores of odd rounds are sent before the observations, as a
   * fast judge's would be.
   */
  private void sessions(
      String prompt, int sessions, double candidateShift, long seed, boolean reportUnits) {
    Random random = new Random(seed);
    StringJoiner observations = RolloutDriver.batch("observations");
    StringJoiner judgements = RolloutDriver.batch("judgements");
    int inBatch = 0;
    for (int i = 0; i < sessions; i++) {
      String unit = prompt + "-s" + seed + "-" + i;
      int version =
          http.get("/v1/prompts/" + prompt + "/resolve?unit=" + unit).body().get("version").asInt();
      double sessionEffect = random.nextGaussian() * 0.1 + (version == 2 ? candidateShift : 0);
      double sessionLatency = 400 + random.nextDouble() * 300;
      int requests = 1 + Math.min(7, (int) (Math.log(1 - random.nextDouble()) / Math.log(0.72)));
      for (int r = 0; r < requests; r++) {
        String requestId = unit + "-r" + r;
        String unitField = reportUnits ? "\"unit\":\"" + unit + "\"," : "";
        observations.add(
            """
            {"requestId":"%s","prompt":"%s","version":%d,%s"latencyMs":%.1f,"inputTokens":300,"outputTokens":90,
             "cost":%.6f,"error":false,"safetyFlag":false,"observedAt":"%s"}"""
                .formatted(
                    requestId,
                    prompt,
                    version,
                    unitField,
                    sessionLatency + random.nextDouble() * 100,
                    0.0004 + random.nextDouble() * 0.0001,
                    Instant.now()));
        double score = Math.max(0, Math.min(1, 0.8 + sessionEffect + random.nextGaussian() * 0.05));
        judgements.add(
            """
            {"requestId":"%s","prompt":"%s","version":%d,"judge":"sim-judge","score":%.4f}"""
                .formatted(requestId, prompt, version, score));
        inBatch++;
      }
      if (inBatch >= 200 || i == sessions - 1) {
        if (seed % 2 == 1) {
          assertThat(http.post("/v1/judgements", judgements.toString()).status()).isEqualTo(200);
          assertThat(http.post("/v1/observations", observations.toString()).status())
              .isEqualTo(200);
        } else {
          assertThat(http.post("/v1/observations", observations.toString()).status())
              .isEqualTo(200);
          assertThat(http.post("/v1/judgements", judgements.toString()).status()).isEqualTo(200);
        }
        observations = RolloutDriver.batch("observations");
        judgements = RolloutDriver.batch("judgements");
        inBatch = 0;
      }
    }
  }

  /** Sends rounds of sessions until the rollout leaves CANARY or {@code seconds} pass. */
  private void trafficUntilDecided(
      String id, String prompt, double shift, long seedBase, boolean units, int seconds) {
    rollouts.trafficUntil(
        id,
        state -> !state.equals("CANARY"),
        seconds,
        round -> sessions(prompt, 60, shift, seedBase + round, units));
  }

  private static JsonNode verdict(JsonNode rollout, String gate) {
    for (JsonNode v : rollout.get("checkpoint").get("lastVerdicts")) {
      if (v.get("gate").asText().equals(gate)) {
        return v;
      }
    }
    throw new AssertionError("no " + gate + " verdict in " + rollout);
  }

  @Test
  void anIdenticalCandidateOnSessionTrafficIsPromotedThroughBothStages() throws Exception {
    rollouts.twoVersions("sessions-same");
    String id =
        rollouts.startRollout(
            "sessions-same",
            "[{\"weightBp\": 3000, \"minJudgements\": 100, \"minBakeSeconds\": 0, \"maxBakeSeconds\": 600},"
                + " {\"weightBp\": 5000, \"minJudgements\": 100, \"minBakeSeconds\": 0, \"maxBakeSeconds\": 600}]");
    rollouts.awaitRollout(id, r -> r.get("state").asText().equals("CANARY"), 30_000);

    trafficUntilDecided(id, "sessions-same", 0.0, 1000, true, 150);
    JsonNode rollout =
        rollouts.awaitRollout(id, r -> !r.get("state").asText().equals("CANARY"), 30_000);
    assertThat(rollout.get("state").asText()).as(rollout.toString()).isEqualTo("PROMOTED");
    assertThat(rollout.get("checkpoint").get("timeline").findValuesAsText("event"))
        .contains("stage 1 passed", "stage 2 passed", "promoted");
    // the split was checked on sessions, not requests: a unit count well below the request count
    JsonNode srm = verdict(rollout, "SAMPLE_RATIO");
    long requests =
        DB.jdbi()
            .withHandle(
                h ->
                    h.select("SELECT count(*) FROM observations WHERE prompt = 'sessions-same'")
                        .mapTo(Long.class)
                        .one());
    assertThat(srm.get("canaryN").asLong() + srm.get("stableN").asLong())
        .isPositive()
        .isLessThan(requests / 2);
  }

  @Test
  void aCandidateWorseByATenthOnSessionTrafficIsRolledBack() throws Exception {
    rollouts.twoVersions("sessions-worse");
    String id =
        rollouts.startRollout(
            "sessions-worse",
            "[{\"weightBp\": 5000, \"minJudgements\": 50, \"minBakeSeconds\": 0, \"maxBakeSeconds\": 600}]");
    rollouts.awaitRollout(id, r -> r.get("state").asText().equals("CANARY"), 30_000);

    trafficUntilDecided(id, "sessions-worse", -0.10, 2000, true, 90);
    JsonNode rollout =
        rollouts.awaitRollout(id, r -> !r.get("state").asText().equals("CANARY"), 30_000);
    assertThat(rollout.get("state").asText()).as(rollout.toString()).isEqualTo("ROLLED_BACK");
    assertThat(rollout.get("reason").asText()).contains("regression").contains("quality");
    // scores sent before their observations were attributed to their sessions all the same
    long unattributed =
        DB.jdbi()
            .withHandle(
                h ->
                    h.select(
                            "SELECT count(*) FROM judgements j"
                                + " LEFT JOIN observations o ON o.prompt = j.prompt AND o.request_id = j.request_id"
                                + " WHERE j.prompt = 'sessions-worse' AND coalesce(j.unit, o.unit) IS NULL")
                        .mapTo(Long.class)
                        .one());
    assertThat(unattributed).isZero();
  }

  @Test
  void anAppThatReportsNoUnitStillGetsADecision() throws Exception {
    rollouts.twoVersions("no-units");
    String id =
        rollouts.startRollout(
            "no-units",
            "[{\"weightBp\": 5000, \"minJudgements\": 50, \"minBakeSeconds\": 0, \"maxBakeSeconds\": 600}]");
    rollouts.awaitRollout(id, r -> r.get("state").asText().equals("CANARY"), 30_000);

    trafficUntilDecided(id, "no-units", -0.10, 3000, false, 90);
    JsonNode rollout =
        rollouts.awaitRollout(id, r -> !r.get("state").asText().equals("CANARY"), 30_000);
    assertThat(rollout.get("state").asText()).as(rollout.toString()).isEqualTo("ROLLED_BACK");
    assertThat(rollout.get("reason").asText()).contains("quality");
    // every request stood for itself
    long ownUnits =
        DB.jdbi()
            .withHandle(
                h ->
                    h.select(
                            "SELECT count(*) FROM observations WHERE prompt = 'no-units' AND unit = '"
                                + Units.ofRequest("")
                                + "' || request_id")
                        .mapTo(Long.class)
                        .one());
    long all =
        DB.jdbi()
            .withHandle(
                h ->
                    h.select("SELECT count(*) FROM observations WHERE prompt = 'no-units'")
                        .mapTo(Long.class)
                        .one());
    assertThat(ownUnits).isEqualTo(all).isPositive();
  }
}
