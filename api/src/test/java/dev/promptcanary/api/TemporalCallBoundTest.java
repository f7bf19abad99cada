package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import dev.promptcanary.api.TestApps.Http;
import dev.promptcanary.api.auth.Role;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every control and start answers within its bound however long a Temporal call on its path takes
 * (the SDK's own retries and a server waiting for a worker are not cut by the request stubs' RPC
 * timeout): a hanging describe before a control's update, a hanging query of the state a control
 * sent again answers with, and a start whose answer hangs are each answered 503 with {@code
 * Retry-After}, not after the hang (on the old code the query and the start waited it out and then
 * answered 200 and 201; a hanging describe was answered 503 only once it ended); the start's retry
 * with the same {@code requestId} answers with the rollout the first attempt started.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class TemporalCallBoundTest {
  static HangingTemporalCalls temporal;
  static final EmbeddedStack APP =
      EmbeddedStack.embedded(
          config -> {
            temporal = new HangingTemporalCalls(config.getTemporal());
            // 3 s rather than the default 8 s (temporal.answerWithin): the bound's length is
            // configuration; what is asserted is that every call on the path is held to it.
            temporal.setAnswerWithin(io.dropwizard.util.Duration.seconds(3));
            config.setTemporal(temporal);
          });
  static final TestDatabase DB = APP.db();
  final Http admin = new Http(APP);
  final Http deployer = new Http(APP).as(Role.DEPLOYER);

  @AfterEach
  void release() {
    temporal.release();
  }

  private HttpResponse<String> pause(String id, String requestId) throws Exception {
    return deployer.postOnce(
        "/v1/rollouts/" + id + "/pause",
        "{\"reason\": \"check\", \"requestId\": \"%s\"}".formatted(requestId));
  }

  private static void assertUnanswered503(HttpResponse<String> reply, String saying) {
    assertThat(reply.statusCode()).as(reply.body()).isEqualTo(503);
    assertThat(reply.headers().firstValue("Retry-After")).contains("2");
    assertThat(reply.body()).contains(saying);
  }

  @Test
  void aControlWhoseDescribeHangsIs503WithRetryAfter() throws Exception {
    new RolloutDriver(admin).twoVersions("describe-hangs");
    String id = new RolloutDriver(deployer).startCanary("describe-hangs", 5);

    temporal.hangDescribesOf(id);
    assertUnanswered503(pause(id, "pause-1"), "did not answer the pause within 3 s");

    temporal.release();
    HttpResponse<String> again = pause(id, "pause-1");
    assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
    assertThat(again.body()).contains("PAUSED");
  }

  @Test
  void aControlSentAgainWhoseStateQueryHangsIs503WithRetryAfter() throws Exception {
    new RolloutDriver(admin).twoVersions("query-hangs");
    String id = new RolloutDriver(deployer).startCanary("query-hangs", 5);
    HttpResponse<String> first = pause(id, "pause-2");
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);

    // Sent again with the same id: answered with the state now, a query of the workflow.
    temporal.hangQueriesOf(id);
    assertUnanswered503(pause(id, "pause-2"), "did not answer the pause within 3 s");

    temporal.release();
    HttpResponse<String> again = pause(id, "pause-2");
    assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
    assertThat(again.body()).contains("already done by request pause-2");
  }

  @Test
  void aStartWhoseAnswerHangsIs503AndItsRetryIsTheRollout() throws Exception {
    new RolloutDriver(admin).twoVersions("start-hangs");
    String id = "rollout-start-hangs-2";
    String request =
        """
        {"prompt": "start-hangs", "candidateVersion": 2, "checkIntervalSeconds": 5,
         "requestId": "deploy-7",
         "stages": [{"weightBp": 1000, "minJudgements": 100, "minBakeSeconds": 0, "maxBakeSeconds": 600}]}
        """;

    temporal.hangTheStartAnswerOf(id);
    assertUnanswered503(
        deployer.postOnce("/v1/rollouts", request), "did not answer the rollout start within 3 s");

    temporal.release();
    HttpResponse<String> retried = deployer.postOnce("/v1/rollouts", request);
    assertThat(retried.statusCode()).as(retried.body()).isEqualTo(200);
    assertThat(retried.body()).contains("\"id\":\"" + id + "\"");
    assertThat(admin.get("/v1/rollouts?prompt=start-hangs").body().findValuesAsText("id"))
        .containsExactly(id);
  }
}
