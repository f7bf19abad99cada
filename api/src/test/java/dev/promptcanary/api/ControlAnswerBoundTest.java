package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptcanary.activities.store.RolloutDao;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import dev.promptcanary.api.TestApps.Http;
import dev.promptcanary.api.TestApps.Http.Reply;
import dev.promptcanary.api.auth.Role;
import dev.promptcanary.workflows.rollout.RolloutMessages;
import dev.promptcanary.workflows.rollout.RolloutSpec;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A control whose workflow is reachable but not answered (Temporal up, its worker not connected:
 * what an API node sees in the seconds after a Temporal outage ends, before the worker's channel
 * has reconnected) answers 503 with {@code Retry-After} once the control's bound has passed, saying
 * the control may still take effect, instead of waiting for the SDK's own 60 s; a control of a
 * rollout whose worker is there still answers 200.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ControlAnswerBoundTest {
  // 3 s rather than the default 8 s (temporal.answerWithin): what is asserted is that the control
  // is held to its bound, whatever its length.
  static final EmbeddedStack APP =
      EmbeddedStack.embedded(
          config -> config.getTemporal().setAnswerWithin(io.dropwizard.util.Duration.seconds(3)));
  static final TestDatabase DB = APP.db();
  final Http admin = new Http(APP);
  final Http deployer = new Http(APP).as(Role.DEPLOYER);

  @Test
  void aControlNobodyAnswersIs503WithRetryAfterAndAnsweredOnesStay200() throws Exception {
    RolloutDriver versions = new RolloutDriver(admin);
    versions.twoVersions("bounded");
    versions.twoVersions("unanswered");
    String answered = new RolloutDriver(deployer).startCanary("bounded", 5);

    // A rollout of the read model whose workflow runs on a task queue no worker polls.
    RolloutDao rollouts = DB.jdbi().onDemand(RolloutDao.class);
    RolloutSpec spec = rollouts.find(answered).orElseThrow().spec();
    String unanswered = "rollout-unanswered-2";
    rollouts.insertPending(unanswered, "unanswered", 2, 1, spec);
    WorkflowServiceStubs stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder()
                .setTarget("localhost:" + APP.temporalPort())
                .build());
    try {
      WorkflowStub workflow =
          WorkflowClient.newInstance(stubs)
              .newUntypedWorkflowStub(
                  RolloutMessages.WORKFLOW_TYPE,
                  WorkflowOptions.newBuilder()
                      .setWorkflowId(unanswered)
                      .setTaskQueue("nobody-polls")
                      .build());
      workflow.start();

      HttpResponse<String> reply =
          deployer.postOnce("/v1/rollouts/" + unanswered + "/pause", "{\"reason\": \"probe\"}");
      assertThat(reply.statusCode()).as(reply.body()).isEqualTo(503);
      assertThat(reply.headers().firstValue("Retry-After")).contains("2");
      assertThat(reply.body())
          .contains("did not answer the pause within 3 s", "the control may still take effect");

      workflow.terminate("the test is over");
    } finally {
      stubs.shutdown();
    }

    Reply paused = deployer.post("/v1/rollouts/" + answered + "/pause", "{\"reason\": \"lunch\"}");
    assertThat(paused.status()).as(String.valueOf(paused.body())).isEqualTo(200);
  }
}
