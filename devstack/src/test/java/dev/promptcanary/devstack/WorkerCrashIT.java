package dev.promptcanary.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.promptcanary.api.TestApps;
import dev.promptcanary.testkit.JarProcess;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.TimeoutType;
import io.temporal.api.enums.v1.WorkflowTaskFailedCause;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.common.WorkflowExecutionHistory;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker killed with SIGKILL in the middle of a bake, on the packaged jar as deployed: {@code dev
 * --no-worker} (embedded PostgreSQL, the embedded Temporal server and the API) in one process, the
 * worker in another, started with {@code worker deployment/config/worker.yml}. A second worker
 * takes over; the rollout ends with the decision its data calls for, every side effect happens
 * once, and the workflow history shows the workflow task that was waiting for the dead worker being
 * failed (the Java test server's StickyQueueTimeout) or timed out (a real Temporal server, with
 * {@code -Dpromptcanary.temporal=cli}) and retried on the new one.
 */
@Tag("slow")
class WorkerCrashIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PROMPT = "crash";

  /** As in RolloutEndToEndTest: the latency gate widened so a test-sized sample can pass it. */
  private static final String GATES = "{\"latency\": {\"margin\": 0.08}}";

  private long lastIngestNanos;
  private ProcessStack stack;

  @TempDir Path work;

  @AfterEach
  void stopChildren() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void aWorkerKilledMidBakeIsReplacedAndTheRolloutEndsOnceWithItsDecision() {
    stack = new ProcessStack(work);
    stack.run(this::scenario);
  }

  private void scenario() throws Exception {
    stack.startDev();
    WorkflowClient temporal = stack.temporal();

    JarProcess first = stack.startWorker("worker-1", Map.of());
    assertThat(stack.post("/v1/prompts/" + PROMPT + "/versions", TestApps.version(1)).statusCode())
        .isEqualTo(201);
    assertThat(stack.post("/v1/prompts/" + PROMPT + "/versions", TestApps.version(2)).statusCode())
        .isEqualTo(201);
    long fenceBefore =
        stack.queryLong("SELECT fence_seq FROM routing WHERE prompt = '" + PROMPT + "'");

    String id =
        stack.startRollout(
            """
        {"prompt": "%s", "candidateVersion": 2, "checkIntervalSeconds": 600, "gates": %s,
         "stages": [{"weightBp": 5000, "minJudgements": 150, "minBakeSeconds": 0, "maxBakeSeconds": 1800}],
         "inconclusivePolicy": "ROLLBACK", "startedBy": "crash-test"}"""
                .formatted(PROMPT, GATES));
    stack.awaitRollout(id, r -> r.get("state").asText().equals("CANARY"), "the stage to start");

    // Mid-bake: some data has been looked at, and controls were handled (and audited) by the first
    // worker.
    awaitServedWith(id);
    simulateTraffic(30, 1);
    JsonNode looked =
        stack.awaitRollout(
            id, r -> !r.path("checkpoint").path("lastVerdicts").isEmpty(), "a first look");
    assertThat(control(id, "pause").get("state").asText()).isEqualTo("PAUSED");
    assertThat(control(id, "resume").get("state").asText()).isEqualTo("CANARY");
    awaitIdle(temporal, id);
    JsonNode beforeKill = stack.rollout(id);
    assertThat(beforeKill.get("state").asText())
        .as("undecided before the kill: " + looked)
        .isEqualTo("CANARY");

    ProcessStack.kill(first);

    // Traffic goes on while no worker runs; its signal leaves a workflow task on the dead worker's
    // sticky queue.
    simulateTraffic(200, 2);
    JarProcess second = stack.startWorker("worker-2", Map.of());
    for (int round = 3;
        round < 30 && stack.rollout(id).get("state").asText().equals("CANARY");
        round++) {
      simulateTraffic(200, round);
    }
    JsonNode rollout =
        stack.awaitRollout(id, r -> r.get("state").asText().equals("ROLLED_BACK"), "the rollback");

    // The decision the data calls for, as without a crash: a quality regression, rolled back.
    assertThat(rollout.get("reason").asText()).contains("regression").contains("quality");
    assertThat(rollout.has("resumedFromRunId")).as("the same run went on, no recovery").isFalse();
    JsonNode routing = JSON.readTree(stack.get("/v1/prompts/" + PROMPT + "/routing").body());
    assertThat(routing.get("stableVersion").asInt()).isEqualTo(1);
    assertThat(routing.get("canaryVersion").isNull()).isTrue();
    assertThat(routing.get("rolloutId").isNull()).isTrue();
    for (int i = 0; i < 50; i++) {
      JsonNode served =
          JSON.readTree(stack.get("/v1/prompts/" + PROMPT + "/resolve?unit=after-" + i).body());
      assertThat(served.get("version").asInt()).isEqualTo(1);
    }

    // Every side effect once: one rollback alert, one fenced routing write per stage plus the
    // rollback, one audit
    // row per control, one timeline entry per step.
    assertThat(
            stack.queryStrings(
                "SELECT event || ':' || state FROM alerts WHERE rollout_id = '" + id + "'"))
        .containsExactly("rolled_back:ROLLED_BACK");
    assertThat(stack.queryLong("SELECT fence_seq FROM routing WHERE prompt = '" + PROMPT + "'"))
        .isEqualTo(fenceBefore + 2);
    assertThat(
            stack.queryStrings(
                "SELECT action FROM audit_log WHERE rollout_id = '"
                    + id
                    + "' AND action IN ('rollout.pause', 'rollout.resume', 'rollout.abort',"
                    + " 'rollout.bypass') ORDER BY id"))
        .containsExactly("rollout.pause", "rollout.resume");
    // Besides the controls: the start, and the rollout's two routing writes (the claim and the
    // rollback), each once although the worker was killed in between.
    assertThat(
            stack.queryStrings(
                "SELECT action FROM audit_log WHERE rollout_id = '"
                    + id
                    + "' AND action IN ('rollout.start', 'routing.rollout') ORDER BY action"))
        .containsExactly("rollout.start", "routing.rollout", "routing.rollout");
    List<String> timeline = rollout.get("checkpoint").get("timeline").findValuesAsText("event");
    assertThat(timeline).containsOnlyOnce("stage 1 started", "paused", "resumed", "rolled_back");

    // The run the read model names is the workflow's latest, the one that ran before and after the
    // kill.
    String runId = stack.queryString("SELECT run_id FROM rollouts WHERE id = '" + id + "'");
    assertThat(describe(id).getWorkflowExecutionInfo().getExecution().getRunId()).isEqualTo(runId);
    WorkflowExecutionHistory history = temporal.fetchHistory(id, runId);
    assertHistoryShowsTheRetry(history.getEvents(), first.pid(), second.pid());
  }

  /**
   * The first worker ran every workflow task until it died; the task that then waited on its sticky
   * queue was failed with RESET_STICKY_TASK_QUEUE and scheduled again, as attempt 2, on the normal
   * queue, where the second worker ran it and every later one. No activity needed a retry, and
   * routing and the alert were each asked for once.
   */
  private static void assertHistoryShowsTheRetry(
      List<HistoryEvent> events, long firstPid, long secondPid) {
    String dump =
        events.stream()
            .map(e -> e.getEventId() + " " + e.getEventType())
            .collect(Collectors.joining("\n"));
    // The Java test server fails the task left on the dead worker's sticky queue
    // (StickyQueueTimeout); a real server times it out (schedule-to-start on the sticky queue).
    HistoryEvent failure;
    long failedStart;
    if (TestTemporal.cli()) {
      assertThat(ofType(events, EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)).as(dump).isEmpty();
      List<HistoryEvent> timedOut = ofType(events, EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT);
      assertThat(timedOut).as(dump).hasSize(1);
      failure = timedOut.get(0);
      assertThat(failure.getWorkflowTaskTimedOutEventAttributes().getTimeoutType())
          .isEqualTo(TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START);
      failedStart = failure.getEventId();
    } else {
      List<HistoryEvent> failed = ofType(events, EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
      assertThat(failed).as(dump).hasSize(1);
      failure = failed.get(0);
      assertThat(failure.getWorkflowTaskFailedEventAttributes().getCause())
          .isEqualTo(WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_STICKY_TASK_QUEUE);
      assertThat(failure.getWorkflowTaskFailedEventAttributes().getIdentity())
          .isEqualTo(StickyQueueTimeout.IDENTITY);
      assertThat(ofType(events, EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT)).as(dump).isEmpty();
      failedStart = failure.getWorkflowTaskFailedEventAttributes().getStartedEventId();
    }

    HistoryEvent retry =
        events.stream()
            .filter(e -> e.getEventId() > failure.getEventId())
            .filter(e -> e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
            .findFirst()
            .orElseThrow(() -> new AssertionError("no workflow task after the failure:\n" + dump));
    if (!TestTemporal.cli()) {
      assertThat(retry.getWorkflowTaskScheduledEventAttributes().getAttempt()).isEqualTo(2);
    }
    assertThat(retry.getWorkflowTaskScheduledEventAttributes().getTaskQueue().getName())
        .isEqualTo("promptcanary-rollouts");

    List<String> before = new ArrayList<>();
    List<String> after = new ArrayList<>();
    // A real server writes the started event of a speculative workflow task (one it made for an
    // Update, written to history once the update is accepted) with no identity; the worker that ran
    // it is the one that completed it.
    Map<Long, String> completedBy = new HashMap<>();
    for (HistoryEvent e : ofType(events, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)) {
      completedBy.put(
          e.getWorkflowTaskCompletedEventAttributes().getStartedEventId(),
          e.getWorkflowTaskCompletedEventAttributes().getIdentity());
    }
    for (HistoryEvent e : ofType(events, EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED)) {
      String identity = e.getWorkflowTaskStartedEventAttributes().getIdentity();
      if (identity.isEmpty()) {
        identity = completedBy.getOrDefault(e.getEventId(), "");
      }
      if (e.getEventId() < failedStart) {
        before.add(identity);
      } else if (e.getEventId() > failedStart) {
        after.add(identity);
      } else {
        assertThat(identity)
            .as("the failed task was taken from the dead queue")
            .isEqualTo(StickyQueueTimeout.IDENTITY);
      }
    }
    assertThat(before)
        .as(dump)
        .isNotEmpty()
        .allMatch(identity -> identity.startsWith(firstPid + "@"));
    assertThat(after)
        .as(dump)
        .isNotEmpty()
        .allMatch(identity -> identity.startsWith(secondPid + "@"));

    Map<String, Integer> scheduled = new HashMap<>();
    for (HistoryEvent e : ofType(events, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)) {
      scheduled.merge(
          e.getActivityTaskScheduledEventAttributes().getActivityType().getName(), 1, Integer::sum);
    }
    assertThat(scheduled)
        .as(dump)
        .containsEntry("SetRouting", 2)
        .containsEntry("SendAlert", 1)
        .containsEntry("RecordAudit", 2);
    assertThat(ofType(events, EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED))
        .allSatisfy(
            e -> assertThat(e.getActivityTaskStartedEventAttributes().getAttempt()).isEqualTo(1));
  }

  // ---- the rollout through the API
  // -----------------------------------------------------------------------

  /** Sessions resolve, get served and report; the candidate's judge scores are 0.10 worse. */
  private void simulateTraffic(int sessions, long seed) throws Exception {
    Random random = new Random(seed);
    StringJoiner observations = batch("observations");
    StringJoiner judgements = batch("judgements");
    for (int i = 0; i < sessions; i++) {
      String unit = PROMPT + "-session-" + seed + "-" + i;
      HttpResponse<String> served = stack.get("/v1/prompts/" + PROMPT + "/resolve?unit=" + unit);
      assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
      int version = JSON.readTree(served.body()).get("version").asInt();
      double score =
          Math.max(0, Math.min(1, 0.8 + random.nextGaussian() * 0.1 + (version == 2 ? -0.10 : 0)));
      String requestId = unit + "-r";
      observations.add(
          String.format(
              Locale.ROOT,
              """
          {"requestId":"%s","prompt":"%s","version":%d,"unit":"%s","latencyMs":%.1f,"inputTokens":300,
           "outputTokens":%d,"cost":%.6f,"error":false,"safetyFlag":false}""",
              requestId,
              PROMPT,
              version,
              unit,
              400 + random.nextDouble() * 400,
              80 + random.nextInt(40),
              0.0004 + random.nextDouble() * 0.0001));
      judgements.add(
          String.format(
              Locale.ROOT,
              """
          {"requestId":"%s","prompt":"%s","version":%d,"judge":"sim-judge","score":%.4f}""",
              requestId,
              PROMPT,
              version,
              score));
    }
    HttpResponse<String> stored = stack.post("/v1/observations", observations.toString());
    assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);
    HttpResponse<String> judged = stack.post("/v1/judgements", judgements.toString());
    assertThat(judged.statusCode()).as(judged.body()).isEqualTo(200);
    lastIngestNanos = System.nanoTime();
  }

  private static StringJoiner batch(String key) {
    return new StringJoiner(",", "{\"" + key + "\":[", "]}");
  }

  private JsonNode control(String id, String action) throws Exception {
    HttpResponse<String> reply =
        stack.post(
            "/v1/rollouts/" + id + "/" + action,
            "{\"actor\": \"ana\", \"reason\": \"crash test\"}");
    assertThat(reply.statusCode()).as(action + ": " + reply.body()).isEqualTo(200);
    return JSON.readTree(reply.body());
  }

  /**
   * Waits until the API serves the canary for the rollout: only then does ingest tell the rollout
   * of new data (else it would look only at its check interval, ten minutes here).
   */
  private void awaitServedWith(String id) {
    await("the API serving rollout " + id)
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> JSON.readTree(stack.get("/v1/prompts/" + PROMPT + "/resolve?unit=probe").body()),
            resolved -> resolved.path("rolloutId").asText().equals(id));
  }

  /**
   * Waits until the rollout's workflow is parked in its bake: no workflow task and no activity
   * outstanding, its bake timer (10 minutes) running. The ingest path's last signal goes out at
   * most a second after the last batch, so the check only counts once that second has passed; from
   * then on nothing wakes the workflow but the test.
   */
  private void awaitIdle(WorkflowClient temporal, String id) {
    await("the workflow settled in its bake")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () -> {
              boolean signalsSettled =
                  System.nanoTime() - lastIngestNanos > TimeUnit.MILLISECONDS.toNanos(2000);
              List<HistoryEvent> events = temporal.fetchHistory(id).getEvents();
              int pendingActivities = describe(id).getPendingActivitiesCount();
              assertThat(
                      signalsSettled
                          && pendingActivities == 0
                          && lastWorkflowTaskCompleted(events)
                          && timerRunning(events))
                  .as(
                      pendingActivities
                          + " activities pending, last events "
                          + events.subList(Math.max(0, events.size() - 5), events.size()))
                  .isTrue();
            });
  }

  private DescribeWorkflowExecutionResponse describe(String workflowId) {
    return stack
        .temporalStubs()
        .blockingStub()
        .describeWorkflowExecution(
            DescribeWorkflowExecutionRequest.newBuilder()
                .setNamespace("default")
                .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                .build());
  }

  private static boolean lastWorkflowTaskCompleted(List<HistoryEvent> events) {
    for (int i = events.size() - 1; i >= 0; i--) {
      EventType type = events.get(i).getEventType();
      if (type.name().startsWith("EVENT_TYPE_WORKFLOW_TASK_")) {
        return type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED;
      }
    }
    return false;
  }

  private static boolean timerRunning(List<HistoryEvent> events) {
    long open = ofType(events, EventType.EVENT_TYPE_TIMER_STARTED).size();
    long closed =
        ofType(events, EventType.EVENT_TYPE_TIMER_FIRED).size()
            + ofType(events, EventType.EVENT_TYPE_TIMER_CANCELED).size();
    return open > closed;
  }

  private static List<HistoryEvent> ofType(List<HistoryEvent> events, EventType type) {
    return events.stream().filter(e -> e.getEventType() == type).toList();
  }
}
