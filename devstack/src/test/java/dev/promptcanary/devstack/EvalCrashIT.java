package dev.promptcanary.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.promptcanary.activities.eval.SuiteEvalRunner;
import dev.promptcanary.testkit.JarProcess;
import dev.promptcanary.testkit.ModelSimulator;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker killed with SIGKILL in the middle of a rollout's offline eval suite, on the packaged jar
 * as deployed ({@code dev --no-worker} in one process, workers started with {@code worker
 * deployment/config/worker.yml} in others). The workers call a model SIMULATOR run by this test, so
 * the test counts every model call. Once the eval activity's heartbeat times out, Temporal retries
 * it on a second worker, which resumes the same eval run: every (case, arm) pair ends with exactly
 * one stored result, the results stored before the kill are untouched, and the model is asked once
 * for each pair that was not stored at the kill and never again for one that was.
 */
@Tag("slow")
class EvalCrashIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PROMPT = "evalcrash";
  private static final String SUITE = "crash-suite";
  private static final int CASES = 20;

  /** Each case runs for the candidate (v2) and the baseline (v1). */
  private static final int PAIRS = CASES * 2;

  /**
   * The worker's eval concurrency (its runner's default; worker.yml's model maxConcurrency is the
   * same 4).
   */
  private static final int CONCURRENCY = SuiteEvalRunner.DEFAULT_CONCURRENCY;

  /**
   * The simulator's delay per answer: 40 pairs, 4 at a time, take about 6 s, so the kill (within a
   * poll of the second round being stored) lands with some 8 rounds, about 5 s, still to go.
   */
  private static final int LATENCY_MS = 600;

  @TempDir Path work;
  private ProcessStack stack;
  private ModelSimulator simulator;

  @AfterEach
  void stopChildren() {
    if (stack != null) {
      stack.close();
    }
    if (simulator != null) {
      simulator.close();
    }
  }

  @Test
  void aWorkerKilledMidSuiteIsReplacedAndTheEvalResumesWithoutRepeatingFinishedCases() {
    stack = new ProcessStack(work);
    stack.run(this::scenario);
  }

  private void scenario() throws Exception {
    simulator = ModelSimulator.start(0);
    stack.startDev();
    Map<String, String> model =
        Map.of(
            "PROMPTCANARY_MODEL_ENABLED",
            "true",
            "PROMPTCANARY_MODEL_BASE_URL",
            simulator.baseUrl().toString(),
            "PROMPTCANARY_MODEL_DEFAULT",
            ModelSimulator.DEFAULT_MODEL);
    JarProcess first = stack.startWorker("worker-1", model);

    createVersion("stable");
    createVersion("candidate");
    HttpResponse<String> suite = stack.post("/v1/eval-suites", suite());
    assertThat(suite.statusCode()).as(suite.body()).isEqualTo(201);
    String id =
        stack.startRollout(
            """
        {"prompt": "%s", "candidateVersion": 2, "evalSuite": "%s", "checkIntervalSeconds": 600,
         "stages": [{"weightBp": 1000, "minJudgements": 150, "minBakeSeconds": 0, "maxBakeSeconds": 1800}],
         "inconclusivePolicy": "ROLLBACK", "startedBy": "eval-crash-test"}"""
                .formatted(PROMPT, SUITE));

    // Mid-suite: at least two rounds of pairs stored, far from all of them.
    awaitStored(id, 2 * CONCURRENCY);
    ProcessStack.kill(first);
    // The simulator still holds the dead worker's last requests for their latency; once they are
    // gone, nothing calls
    // the model until the next worker runs.
    awaitSimulatorIdle();
    int callsAtKill = simulator.requests();
    Map<String, String> storedAtKill = storedResults(id);
    assertThat(stack.rollout(id).get("state").asText()).isEqualTo("PENDING_EVAL");
    assertThat(storedAtKill.size())
        .as("pairs stored when the worker died: " + storedAtKill.keySet())
        .isBetween(2 * CONCURRENCY, PAIRS - 1);
    // Each stored pair took one call; the dead worker's calls in flight, at most its concurrency,
    // were lost.
    assertThat(callsAtKill - storedAtKill.size())
        .as("model calls lost with the dead worker")
        .isBetween(0, CONCURRENCY);

    JarProcess second = stack.startWorker("worker-2", model);
    // The attempt on the dead worker times out on its heartbeat (10 s); the retry runs on the
    // second worker.
    JsonNode rollout =
        stack.awaitRollout(
            id,
            r -> !r.get("state").asText().equals("PENDING_EVAL"),
            "the eval to finish on the second worker",
            90);
    assertThat(rollout.get("state").asText()).as(rollout.toString()).isEqualTo("CANARY");
    assertThat(rollout.has("resumedFromRunId"))
        .as("the same workflow run went on, no recovery")
        .isFalse();

    // One run, passed; every pair stored exactly once.
    assertThat(
            stack.queryStrings(
                "SELECT run_key || ' ' || state FROM eval_runs WHERE rollout_id = '" + id + "'"))
        .containsExactly(id + " PASSED");
    assertThat(
            stack.queryStrings(
                "SELECT case_id || '/' || arm || ' x' || count(*) FROM eval_case_results r"
                    + " JOIN eval_runs e ON e.id = r.run_id WHERE e.rollout_id = '"
                    + id
                    + "' GROUP BY case_id, arm"))
        .containsExactlyInAnyOrderElementsOf(
            allPairs().stream().map(pair -> pair + " x1").collect(Collectors.toList()));
    JsonNode report = JSON.readTree(stack.get("/v1/rollouts/" + id + "/eval").body());
    assertThat(report.get("state").asText()).as(report.toString()).isEqualTo("PASSED");
    assertThat(report.get("cases")).hasSize(PAIRS);

    // What the first worker stored is untouched: same run, finish time, output and latency.
    Map<String, String> storedAfter = storedResults(id);
    assertThat(storedAfter).containsAllEntriesOf(storedAtKill);

    // The second worker asked the model once for each pair missing at the kill, and for no stored
    // pair.
    int callsAfterKill = simulator.requests() - callsAtKill;
    assertThat(callsAfterKill)
        .as("model calls after the kill (%d pairs were stored)", storedAtKill.size())
        .isEqualTo(PAIRS - storedAtKill.size());
    assertThat(simulator.requests()).isLessThanOrEqualTo(PAIRS + CONCURRENCY);
    assertThat(simulator.judgeRequests()).isZero();

    // Temporal retried the eval activity once, on the second worker.
    assertEvalRetriedOn(stack.temporal(), id, second.pid());
  }

  /**
   * The eval activity was scheduled once; its attempt that ran to the end was the second, on {@code
   * pid}.
   */
  private static void assertEvalRetriedOn(WorkflowClient temporal, String id, long pid) {
    var events = temporal.fetchHistory(id).getEvents();
    String dump =
        events.stream()
            .map(e -> e.getEventId() + " " + e.getEventType())
            .collect(Collectors.joining("\n"));
    var evals =
        events.stream()
            .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
            .filter(
                e ->
                    e.getActivityTaskScheduledEventAttributes()
                        .getActivityType()
                        .getName()
                        .equals("RunOfflineEval"))
            .toList();
    assertThat(evals).as(dump).hasSize(1);
    HistoryEvent startedEval =
        events.stream()
            .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED)
            .filter(
                e ->
                    e.getActivityTaskStartedEventAttributes().getScheduledEventId()
                        == evals.get(0).getEventId())
            .findFirst()
            .orElseThrow(() -> new AssertionError("the eval activity never started:\n" + dump));
    assertThat(startedEval.getActivityTaskStartedEventAttributes().getAttempt())
        .as(dump)
        .isEqualTo(2);
    assertThat(startedEval.getActivityTaskStartedEventAttributes().getIdentity())
        .startsWith(pid + "@");
  }

  // ---- the rollout through the API
  // -----------------------------------------------------------------------

  /** Both versions answer well and slowly (the simulator's markers). */
  private void createVersion(String variant) throws Exception {
    HttpResponse<String> created =
        stack.post(
            "/v1/prompts/" + PROMPT + "/versions",
            """
        {"systemPrompt": "[sim quality=0.9 latency_ms=%d] You answer support questions (%s).",
         "template": "{{question}}", "model": "%s", "author": "ana"}"""
                .formatted(LATENCY_MS, variant, ModelSimulator.DEFAULT_MODEL));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
  }

  /**
   * {@link #CASES} cases, each expecting the simulator's answer to its own question; every case
   * must pass.
   */
  private static String suite() {
    StringJoiner cases = new StringJoiner(",\n");
    for (int i = 1; i <= CASES; i++) {
      cases.add(
          """
          {"id": "c%02d", "variables": {"question": "Question %d?"},
           "assertions": [{"type": "contains", "value": "Simulated answer to: Question %d?"},
                          {"type": "max_length", "max": 500}]}"""
              .formatted(i, i, i));
    }
    return """
        {"name": "%s", "author": "ana", "cases": [%s],
         "gate": {"minPassRate": 1.0, "maxDropVsBaseline": 0.0}}"""
        .formatted(SUITE, cases);
  }

  private static Set<String> allPairs() {
    Set<String> pairs = new TreeSet<>();
    for (int i = 1; i <= CASES; i++) {
      pairs.add("c%02d/candidate".formatted(i));
      pairs.add("c%02d/baseline".formatted(i));
    }
    return pairs;
  }

  // ---- the store and the simulator
  // -----------------------------------------------------------------------

  /**
   * The rollout's stored case results: "case/arm" to its run id, finish time, output digest and
   * latency.
   */
  private Map<String, String> storedResults(String rolloutId) throws SQLException {
    String sql =
        "SELECT r.case_id || '/' || r.arm, r.run_id || ' ' || r.finished_at::text || ' ' || md5(r.output)"
            + " || ' ' || r.latency_ms FROM eval_case_results r JOIN eval_runs e ON e.id = r.run_id"
            + " WHERE e.rollout_id = ?";
    try (Connection c = stack.database();
        PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, rolloutId);
      try (ResultSet rs = s.executeQuery()) {
        Map<String, String> rows = new TreeMap<>();
        while (rs.next()) {
          rows.put(rs.getString(1), rs.getString(2));
        }
        return rows;
      }
    }
  }

  private void awaitStored(String rolloutId, int atLeast) {
    await(atLeast + " stored case results")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> storedResults(rolloutId).size(), stored -> stored >= atLeast);
  }

  private void awaitSimulatorIdle() {
    await("the simulator handling no request")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(simulator::inFlight, inFlight -> inFlight == 0);
  }
}
