package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.promptcanary.api.TestApps.Http;
import dev.promptcanary.api.TestApps.Http.Reply;
import java.time.Duration;
import java.util.StringJoiner;
import java.util.function.IntConsumer;
import java.util.function.Predicate;

/**
 * What the end-to-end rollout tests do through the API around their own traffic: two versions of a
 * prompt, a rollout started with {@link #GATES}, its state, and rounds of traffic until the rollout
 * decides.
 */
final class RolloutDriver {
  /**
   * The default gates, but with the latency gate's tolerance widened from 5 to 8 points of traffic
   * above the baseline's p95 and without its promotion guard: at default strictness it needs more
   * canary requests than an end-to-end test on a loaded machine sends (these tests are about
   * sessions and stages; the guard is tested in LatencyGuardTest and bench/decision-quality).
   */
  static final String GATES = "{\"latency\": {\"margin\": 0.08, \"promotionConfidence\": 0}}";

  private final Http http;

  RolloutDriver(Http http) {
    this.http = http;
  }

  /** Versions 1 (stable) and 2 of {@code prompt}. */
  void twoVersions(String prompt) {
    assertThat(http.post("/v1/prompts/" + prompt + "/versions", TestApps.version(1)).status())
        .isEqualTo(201);
    assertThat(http.post("/v1/prompts/" + prompt + "/versions", TestApps.version(2)).status())
        .isEqualTo(201);
  }

  /**
   * A rollout of version 2 over {@code stages} (JSON), looking every second, rolling back when
   * inconclusive.
   */
  String startRollout(String prompt, String stages) {
    Reply started =
        http.post(
            "/v1/rollouts",
            """
        {"prompt": "%s", "candidateVersion": 2, "stages": %s, "checkIntervalSeconds": 1, "gates": %s,
         "inconclusivePolicy": "ROLLBACK", "startedBy": "e2e-test"}
        """
                .formatted(prompt, stages, GATES));
    assertThat(started.status()).as(String.valueOf(started.body())).isEqualTo(201);
    return started.body().get("id").asText();
  }

  /**
   * A rollout of version 2 over one 10% stage that needs 100 judgements (so it stays in its canary
   * stage without traffic), looking every {@code checkIntervalSeconds}, once it is in that stage.
   */
  String startCanary(String prompt, int checkIntervalSeconds) {
    Reply started =
        http.post(
            "/v1/rollouts",
            """
            {"prompt": "%s", "candidateVersion": 2, "checkIntervalSeconds": %d,
             "stages": [{"weightBp": 1000, "minJudgements": 100, "minBakeSeconds": 0, "maxBakeSeconds": 600}]}
            """
                .formatted(prompt, checkIntervalSeconds));
    assertThat(started.status()).as(String.valueOf(started.body())).isEqualTo(201);
    String id = started.body().get("id").asText();
    awaitRollout(id, r -> r.path("state").asText().equals("CANARY"), 60_000);
    return id;
  }

  String state(String id) {
    return http.get("/v1/rollouts/" + id).body().get("state").asText();
  }

  /**
   * The rollout once {@code condition} holds; fails with its last view after {@code timeoutMillis}.
   */
  JsonNode awaitRollout(String id, Predicate<JsonNode> condition, long timeoutMillis) {
    return await("rollout " + id)
        .atMost(Duration.ofMillis(timeoutMillis))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> http.get("/v1/rollouts/" + id).body(), condition);
  }

  /**
   * Runs {@code round} (given 0, 1, 2, ...) until the rollout's state passes {@code decided} or
   * {@code seconds} pass: bounded by time rather than rounds, since how many rounds a stage needs
   * depends on how fast this machine sends them.
   */
  void trafficUntil(String id, Predicate<String> decided, int seconds, IntConsumer round) {
    long deadline = System.currentTimeMillis() + seconds * 1000L;
    for (int i = 0; System.currentTimeMillis() < deadline; i++) {
      round.accept(i);
      if (decided.test(state(id))) {
        return;
      }
    }
  }

  /** An ingest batch: {@code {"key":[...]}}. */
  static StringJoiner batch(String key) {
    return new StringJoiner(",", "{\"" + key + "\":[", "]}");
  }
}
