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
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The audit log and the rollout's workflow history agree on every control: the same controls, in
 * the same order, with the same actor (the key's name), role and reason; a refused control is in
 * neither.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class AuditTrailTest {
  static final EmbeddedStack APP = EmbeddedStack.embedded();
  static final TestDatabase DB = APP.db();
  final Http deployer = new Http(APP).as(Role.DEPLOYER);
  final Http admin = new Http(APP);

  /** One control as either record tells it. */
  record Control(String action, String actor, String role, String reason) {}

  private JsonNode awaitRollout(String id, Predicate<JsonNode> condition) {
    return await("rollout " + id)
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> admin.get("/v1/rollouts/" + id).body(), condition);
  }

  private void control(Http as, String id, String action, String reason, int expected) {
    Reply reply =
        as.post(
            "/v1/rollouts/" + id + "/" + action,
            "{\"actor\": \"someone-else\", \"reason\": \"%s\"}".formatted(reason));
    assertThat(reply.status()).as(action + ": " + reply.body()).isEqualTo(expected);
  }

  @Test
  void everyControlIsInTheAuditLogAsInTheWorkflowHistory() throws Exception {
    new RolloutDriver(admin).twoVersions("trail");
    String id = new RolloutDriver(deployer).startCanary("trail", 1);

    control(deployer, id, "pause", "lunch", 200);
    control(admin, id, "resume", "back from lunch", 200);
    control(deployer, id, "resume", "not paused: refused", 409);
    control(deployer, id, "pause", "again", 200);
    control(deployer, id, "bypass", "a deployer may not bypass", 403);
    control(deployer, id, "abort", "enough", 200);
    awaitRollout(id, r -> r.get("state").asText().equals("ABORTED"));

    List<Control> expected =
        List.of(
            new Control("pause", "test-deployer", "deployer", "lunch"),
            new Control("resume", "test-admin", "admin", "back from lunch"),
            new Control("pause", "test-deployer", "deployer", "again"),
            new Control("abort", "test-deployer", "deployer", "enough"));
    assertThat(fromHistory(id)).isEqualTo(expected);
    List<Control> audited =
        await("the audit writes, which run in the background")
            .atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> fromAudit(id), rows -> rows.size() >= expected.size());
    assertThat(audited).isEqualTo(expected);

    JsonNode start =
        admin.get("/v1/audit?rollout=" + id + "&actor=test-deployer").body().get("entries").get(0);
    assertThat(start.get("action").asText()).isEqualTo("rollout.start");
    assertThat(start.get("after").get("startedBy").asText()).isEqualTo("test-deployer");
    assertThat(admin.get("/v1/rollouts/" + id).body().get("spec").get("startedBy").asText())
        .isEqualTo("test-deployer");

    // The rollout's own routing writes: the claim entering stage 1 and the rollback, by the system.
    JsonNode routing =
        admin.get("/v1/audit?rollout=" + id + "&actor=promptcanary").body().get("entries");
    assertThat(routing.findValuesAsText("action"))
        .containsExactly("routing.rollout", "routing.rollout");
    assertThat(routing.get(0).get("role").asText()).isEqualTo("system");
    assertThat(routing.get(0).get("after").get("canaryWeightBp").asInt()).isEqualTo(1000);
    assertThat(routing.get(1).get("after").get("canaryWeightBp").asInt()).isZero();
  }

  /** A bypass (admin only) ends the rollout at 100%: the one control the test above cannot show. */
  @Test
  void aBypassIsInTheAuditLogAsInTheWorkflowHistory() {
    admin.post("/v1/prompts/trail-bypass/versions", TestApps.version(1));
    admin.post("/v1/prompts/trail-bypass/versions", TestApps.version(2));
    Reply started =
        deployer.post(
            "/v1/rollouts",
            """
            {"prompt": "trail-bypass", "candidateVersion": 2, "checkIntervalSeconds": 1,
             "stages": [{"weightBp": 1000, "minJudgements": 100, "minBakeSeconds": 0, "maxBakeSeconds": 600}]}
            """);
    assertThat(started.status()).as(String.valueOf(started.body())).isEqualTo(201);
    String id = started.body().get("id").asText();
    awaitRollout(id, r -> r.get("state").asText().equals("CANARY"));

    control(deployer, id, "bypass", "a deployer may not bypass", 403);
    control(admin, id, "bypass", "hotfix must ship now", 200);
    awaitRollout(id, r -> r.get("state").asText().equals("BYPASSED"));

    List<Control> expected =
        List.of(new Control("bypass", "test-admin", "admin", "hotfix must ship now"));
    assertThat(fromHistory(id)).isEqualTo(expected);
    assertThat(
            await("the audit write, which runs in the background")
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> fromAudit(id), rows -> !rows.isEmpty()))
        .isEqualTo(expected);
  }

  /** The controls the workflow accepted, from its history over all its runs, oldest first. */
  private static List<Control> fromHistory(String workflowId) {
    WorkflowServiceStubs stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder()
                .setTarget("localhost:" + APP.temporalPort())
                .build());
    try {
      WorkflowClient client = WorkflowClient.newInstance(stubs);
      List<List<Control>> runs = new ArrayList<>();
      String runId = null;
      do {
        List<HistoryEvent> events =
            client.fetchHistory(workflowId, runId).getHistory().getEventsList();
        List<Control> controls = new ArrayList<>();
        for (HistoryEvent event : events) {
          if (event.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED) {
            var input =
                event
                    .getWorkflowExecutionUpdateAcceptedEventAttributes()
                    .getAcceptedRequest()
                    .getInput();
            ControlRequest request =
                DefaultDataConverter.STANDARD_INSTANCE.fromPayloads(
                    0, Optional.of(input.getArgs()), ControlRequest.class, ControlRequest.class);
            controls.add(
                new Control(input.getName(), request.actor(), request.role(), request.reason()));
          }
        }
        runs.add(0, controls);
        String previous =
            events.get(0).getWorkflowExecutionStartedEventAttributes().getContinuedExecutionRunId();
        runId = previous.isEmpty() ? null : previous;
      } while (runId != null);
      return runs.stream().flatMap(List::stream).toList();
    } finally {
      stubs.shutdown();
    }
  }

  private static List<Control> fromAudit(String rolloutId) {
    return DB.jdbi()
        .withHandle(
            h ->
                h.select(
                        "SELECT substring(action FROM 9) AS action, actor, role, reason FROM audit_log"
                            + " WHERE rollout_id = ? AND action IN ('rollout.pause',"
                            + " 'rollout.resume', 'rollout.abort', 'rollout.bypass') ORDER BY id",
                        rolloutId)
                    .map(
                        (rs, ctx) ->
                            new Control(
                                rs.getString("action"),
                                rs.getString("actor"),
                                rs.getString("role"),
                                rs.getString("reason")))
                    .list());
  }
}
