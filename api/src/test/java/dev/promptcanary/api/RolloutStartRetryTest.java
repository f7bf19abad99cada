package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import dev.promptcanary.api.TestApps.Http;
import dev.promptcanary.api.TestApps.Http.Reply;
import dev.promptcanary.api.auth.Role;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A rollout start that went through in Temporal while the API could not tell (its start call and
 * the describe after it failed, so it answered 503) is answered, when the client sends the same
 * request again, with the rollout it started: 200, the same id, one rollout and one audit entry;
 * never the 409 "already running" of a second start. The same request id with another body is a 409
 * on {@code requestId}.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class RolloutStartRetryTest {
  static LostStartAnswers temporal;
  static final EmbeddedStack APP =
      EmbeddedStack.embedded(
          config -> {
            temporal = new LostStartAnswers(config.getTemporal());
            config.setTemporal(temporal);
          });
  static final TestDatabase DB = APP.db();
  final Http admin = new Http(APP);
  final Http deployer = new Http(APP).as(Role.DEPLOYER);

  private static final String START =
      """
      {"prompt": "%s", "candidateVersion": 2, "checkIntervalSeconds": %d, "requestId": "%s",
       "stages": [{"weightBp": 1000, "minJudgements": 100, "minBakeSeconds": 0, "maxBakeSeconds": 600}]}
      """;

  private JsonNode awaitState(String id, String state) {
    return await("rollout " + id + " " + state)
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> admin.get("/v1/rollouts/" + id).body(),
            r -> r.path("state").asText().equals(state));
  }

  private long startAudits(String id) {
    return DB.jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT count(*) FROM audit_log WHERE action = 'rollout.start' AND rollout_id = :id")
                    .bind("id", id)
                    .mapTo(Long.class)
                    .one());
  }

  @Test
  void aStartAnswered503ThatWentThroughIsTheRetrysRollout() throws Exception {
    new RolloutDriver(admin).twoVersions("retried");
    String id = "rollout-retried-2";
    String request = START.formatted("retried", 5, "deploy-42");
    temporal.loseTheAnswerToTheStartOf(id);

    HttpResponse<String> first = deployer.postOnce("/v1/rollouts", request);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(503);
    assertThat(first.headers().firstValue("Retry-After")).contains("2");

    Reply retried = deployer.post("/v1/rollouts", request);
    assertThat(retried.status()).as(String.valueOf(retried.body())).isEqualTo(200);
    assertThat(retried.body().get("id").asText()).isEqualTo(id);
    awaitState(id, "CANARY");

    // The client never got that answer either (say its connection broke): the same again.
    Reply again = deployer.post("/v1/rollouts", request);
    assertThat(again.status()).as(String.valueOf(again.body())).isEqualTo(200);
    assertThat(again.body().get("id").asText()).isEqualTo(id);

    assertThat(admin.get("/v1/rollouts?prompt=retried").body().findValuesAsText("id"))
        .containsExactly(id);
    assertThat(startAudits(id)).isEqualTo(1);

    Reply otherBody = deployer.post("/v1/rollouts", START.formatted("retried", 7, "deploy-42"));
    assertThat(otherBody.status()).as(String.valueOf(otherBody.body())).isEqualTo(409);
    assertThat(otherBody.body().get("field").asText()).isEqualTo("requestId");

    Reply otherKey = admin.post("/v1/rollouts", request);
    assertThat(otherKey.status()).as(String.valueOf(otherKey.body())).isEqualTo(409);
    assertThat(otherKey.body().get("field").asText()).isEqualTo("requestId");

    Reply withoutId =
        deployer.post("/v1/rollouts", request.replace("\"requestId\": \"deploy-42\",", ""));
    assertThat(withoutId.status()).as(String.valueOf(withoutId.body())).isEqualTo(409);
    assertThat(withoutId.body().get("field").asText()).isEqualTo("prompt");
  }

  @Test
  void aStartWhoseAnswerWasLostOnTheWayToTheClientIsTheRetrysRollout() {
    new RolloutDriver(admin).twoVersions("delivered");
    String request = START.formatted("delivered", 5, "deploy-43");
    Reply first = deployer.post("/v1/rollouts", request);
    assertThat(first.status()).as(String.valueOf(first.body())).isEqualTo(201);
    String id = first.body().get("id").asText();

    // At once, and once the rollout has claimed the prompt's routing.
    Reply retried = deployer.post("/v1/rollouts", request);
    assertThat(retried.status()).as(String.valueOf(retried.body())).isEqualTo(200);
    assertThat(retried.body().get("id").asText()).isEqualTo(id);
    awaitState(id, "CANARY");
    Reply later = deployer.post("/v1/rollouts", request);
    assertThat(later.status()).as(String.valueOf(later.body())).isEqualTo(200);
    assertThat(later.body().get("id").asText()).isEqualTo(id);

    assertThat(admin.get("/v1/rollouts?prompt=delivered").body().findValuesAsText("id"))
        .containsExactly(id);
    assertThat(startAudits(id)).isEqualTo(1);
  }

  @Test
  void aRequestIdThatIsNotOneIsA422NamingIt() {
    new RolloutDriver(admin).twoVersions("badid");
    Reply reply = deployer.post("/v1/rollouts", START.formatted("badid", 5, "no spaces"));
    assertThat(reply.status()).as(String.valueOf(reply.body())).isEqualTo(422);
    assertThat(reply.body().get("field").asText()).isEqualTo("requestId");
  }
}
