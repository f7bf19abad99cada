package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import dev.promptcanary.api.TestApps.Http;
import dev.promptcanary.api.TestApps.Http.Reply;
import dev.promptcanary.api.auth.Role;
import dev.promptcanary.workflows.rollout.ControlRequest;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A control answered 200 was acted on and audited, told by its request id: an abort that lost the
 * race to another node's abort (the real server answers it NOT_FOUND, the run having closed before
 * accepting it) is a 409 naming the state, not a 200 with no audit entry; a control sent again with
 * the request id of one acted on is answered 200 without acting again.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ControlRequestIdTest {
  static RunEndsBeforeTheUpdate temporal;
  static final EmbeddedStack APP =
      EmbeddedStack.embedded(
          config -> {
            temporal = new RunEndsBeforeTheUpdate(config.getTemporal());
            config.setTemporal(temporal);
          });
  static final TestDatabase DB = APP.db();
  final Http admin = new Http(APP);
  final Http deployer = new Http(APP).as(Role.DEPLOYER);

  /** A running rollout of a new prompt {@code name}, in {@code CANARY}. */
  private String canary(String name) {
    admin.post("/v1/prompts/" + name + "/versions", TestApps.version(1));
    admin.post("/v1/prompts/" + name + "/versions", TestApps.version(2));
    Reply started =
        deployer.post(
            "/v1/rollouts",
            """
            {"prompt": "%s", "candidateVersion": 2, "checkIntervalSeconds": 5,
             "stages": [{"weightBp": 1000, "minJudgements": 100, "minBakeSeconds": 0, "maxBakeSeconds": 600}]}
            """
                .formatted(name));
    assertThat(started.status()).as(String.valueOf(started.body())).isEqualTo(201);
    String id = started.body().get("id").asText();
    awaitState(id, "CANARY");
    return id;
  }

  private JsonNode awaitState(String id, String state) {
    return await("rollout " + id + " " + state)
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> admin.get("/v1/rollouts/" + id).body(),
            r -> r.path("state").asText().equals(state));
  }

  private static Reply control(Http as, String id, String action, String reason, String reqId) {
    return as.post(
        "/v1/rollouts/" + id + "/" + action,
        reqId == null
            ? "{\"reason\": \"%s\"}".formatted(reason)
            : "{\"reason\": \"%s\", \"requestId\": \"%s\"}".formatted(reason, reqId));
  }

  /** The request ids of the rollout's control entries of {@code action}, oldest first. */
  private static List<String> audited(String id, String action) {
    return DB.jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT request_id FROM audit_log WHERE rollout_id = :id AND action = :action"
                            + " ORDER BY id")
                    .bind("id", id)
                    .bind("action", action)
                    .mapTo(String.class)
                    .list());
  }

  @Test
  void anAbortThatLostTheRaceToAnotherAbortIsA409NamingTheState() {
    String id = canary("raced");
    temporal.abortFirst(id, new ControlRequest("other-node", "first", "admin", "race-1"));

    Reply lost = control(deployer, id, "abort", "second", "abort-2");

    assertThat(lost.status()).as(String.valueOf(lost.body())).isEqualTo(409);
    assertThat(lost.body().get("field").asText()).isEqualTo("id");
    assertThat(lost.body().get("message").asText())
        .isEqualTo(
            "rollout "
                + id
                + " had already ended (ABORTED) before the abort reached it; it had no effect");
    assertThat(audited(id, "rollout.abort"))
        .as("only the abort that won")
        .containsExactly("race-1");
  }

  @Test
  void anAbortWhoseRunEndedBeforeItsAnswerButThatWasActedOnIsA200ThatSaysSo() {
    // The race's abort carries this request's id: the rollout acted on it (audited) and ended
    // before this attempt's answer came back.
    String id = canary("ranout");
    temporal.abortFirst(id, new ControlRequest("deployer", "first", "deployer", "abort-same"));

    Reply done = control(deployer, id, "abort", "first", "abort-same");

    assertThat(done.status()).as(String.valueOf(done.body())).isEqualTo(200);
    assertThat(done.body().get("state").asText()).isEqualTo("ABORTED");
    assertThat(done.body().get("message").asText()).isEqualTo("abort done (now ABORTED)");
    assertThat(audited(id, "rollout.abort")).containsExactly("abort-same");
  }

  @Test
  void aControlsAuditEntryCarriesTheClientsRequestIdAndASecondSendIsAnsweredOnce() {
    String id = canary("sentagain");

    Reply paused = control(deployer, id, "pause", "look", "pause-1");
    assertThat(paused.status()).as(String.valueOf(paused.body())).isEqualTo(200);
    Reply again = control(deployer, id, "pause", "look", "pause-1");
    assertThat(again.status()).as(String.valueOf(again.body())).isEqualTo(200);
    assertThat(again.body().get("state").asText()).isEqualTo("PAUSED");
    assertThat(again.body().get("message").asText())
        .isEqualTo("pause already done by request pause-1 (now PAUSED)");
    assertThat(audited(id, "rollout.pause")).containsExactly("pause-1");

    Reply otherControl = control(deployer, id, "resume", "go", "pause-1");
    assertThat(otherControl.status()).as(String.valueOf(otherControl.body())).isEqualTo(409);
    assertThat(otherControl.body().get("field").asText()).isEqualTo("requestId");
    Reply otherKey = control(admin, id, "pause", "look", "pause-1");
    assertThat(otherKey.status()).as(String.valueOf(otherKey.body())).isEqualTo(409);
    assertThat(otherKey.body().get("field").asText()).isEqualTo("requestId");

    Reply aborted = control(deployer, id, "abort", "enough", "abort-1");
    assertThat(aborted.status()).as(String.valueOf(aborted.body())).isEqualTo(200);
    awaitState(id, "ABORTED");
    Reply abortedAgain = control(deployer, id, "abort", "enough", "abort-1");
    assertThat(abortedAgain.status()).as(String.valueOf(abortedAgain.body())).isEqualTo(200);
    assertThat(abortedAgain.body().get("state").asText()).isEqualTo("ABORTED");
    Reply anotherAbort = control(deployer, id, "abort", "enough", "abort-3");
    assertThat(anotherAbort.status()).as(String.valueOf(anotherAbort.body())).isEqualTo(409);
    assertThat(audited(id, "rollout.abort")).containsExactly("abort-1");
  }

  @Test
  void aControlWithoutARequestIdGetsOneOfItsOwn() {
    String id = canary("ownid");
    assertThat(control(deployer, id, "pause", "look", null).status()).isEqualTo(200);
    assertThat(control(deployer, id, "resume", "go", null).status()).isEqualTo(200);
    assertThat(audited(id, "rollout.pause")).singleElement().asString().startsWith("control-");
    List<String> ids = audited(id, "rollout.resume");
    assertThat(ids).singleElement().asString().startsWith("control-");
    assertThat(ids).doesNotContainAnyElementsOf(audited(id, "rollout.pause"));
  }

  @Test
  void aRequestIdThatIsNotOneIsA422NamingIt() {
    String id = canary("badctlid");
    Reply reply = control(deployer, id, "pause", "look", "no spaces");
    assertThat(reply.status()).as(String.valueOf(reply.body())).isEqualTo(422);
    assertThat(reply.body().get("field").asText()).isEqualTo("requestId");
    assertThat(audited(id, "rollout.pause")).isEmpty();
  }
}
