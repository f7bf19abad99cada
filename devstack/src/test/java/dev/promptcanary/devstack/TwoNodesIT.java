package dev.promptcanary.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.promptcanary.api.TestApps;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault 5: two API nodes ({@code server}) and two workers against one dev stack's PostgreSQL and
 * Temporal. One running rollout per prompt: two starts for the same prompt sent at once, one
 * through each node, give one 201 and one 409 naming {@code prompt}, and a later start through the
 * other node is refused the same way. Concurrent pauses and resumes through both nodes, then an
 * abort racing a pause and a resume: every control is answered (200 or 409, never a timeout or a
 * 5xx), every accepted one is audited once, the routing row's fence sequence never goes back, and
 * the weight ends consistent with the final state (an aborted rollout leaves the stable version at
 * 100 %, the canary released). A rollback written through node A is served by node B's resolve: the
 * delay from the abort's answer to B serving the stable version to every unit it had on the canary
 * is measured (the target is 1 s; the figure is reported, the assertion is that B serves stable
 * afterwards).
 */
@Tag("slow")
// In bench/faults, not the ordinary build: the accepted control left unaudited on the CLI dev
// server is fixed (a pause refused too late, now a 409), but there one control in 27 still got no
// answer within 10 s in 1 of 3 runs (docs/reliability.md, fault 5; the hang TemporalOutageIT met).
@Tag("faults")
class TwoNodesIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PROMPT = "two-nodes";
  private static final int UNITS = 200;
  private static final int CONTROLS_PER_THREAD = 6;

  private ProcessStack stack;
  private ExecutorService pool;

  /** Starts and controls answered 503 and sent again. */
  private final ConcurrentLinkedQueue<String> retried503 = new ConcurrentLinkedQueue<>();

  @TempDir Path work;

  @AfterEach
  void stopChildren() {
    if (pool != null) {
      pool.shutdownNow();
    }
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void aRollbackThroughOneNodeIsServedByTheOtherAndControlsStayFenced() {
    stack = new ProcessStack(work);
    stack.run(this::scenario);
  }

  private void scenario() throws Exception {
    stack.startDev(); // PostgreSQL and Temporal; its own API is only used for reading
    int nodeA = TestApps.freePort();
    int nodeB = TestApps.freePort();
    stack.startApi("api-a", nodeA, TestApps.freePort());
    stack.startApi("api-b", nodeB, TestApps.freePort());
    stack.startWorker("worker-a", Map.of());
    stack.startWorker("worker-b", Map.of());
    pool = Executors.newFixedThreadPool(8);
    assertThat(
            stack
                .post(nodeA, "/v1/prompts/" + PROMPT + "/versions", TestApps.version(1))
                .statusCode())
        .isEqualTo(201);
    assertThat(
            stack
                .post(nodeB, "/v1/prompts/" + PROMPT + "/versions", TestApps.version(2))
                .statusCode())
        .isEqualTo(201);

    // ---- one running rollout per prompt, two starts at once through the two nodes
    String start =
        """
        {"prompt": "%s", "candidateVersion": 2, "startedBy": "two-nodes-test", "checkIntervalSeconds": 5,
         "stages": [{"weightBp": 5000, "minJudgements": 100000, "minBakeSeconds": 0, "maxBakeSeconds": 3600}]}"""
            .formatted(PROMPT);
    CountDownLatch go = new CountDownLatch(1);
    Future<HttpResponse<String>> throughA = pool.submit(atOnce(go, nodeA, "/v1/rollouts", start));
    Future<HttpResponse<String>> throughB = pool.submit(atOnce(go, nodeB, "/v1/rollouts", start));
    go.countDown();
    List<HttpResponse<String>> starts = List.of(throughA.get(), throughB.get());
    List<Integer> startCodes = starts.stream().map(HttpResponse::statusCode).sorted().toList();
    HttpResponse<String> created =
        starts.stream().filter(r -> r.statusCode() == 201).findFirst().orElse(null);
    HttpResponse<String> refused =
        starts.stream().filter(r -> r.statusCode() == 409).findFirst().orElse(null);
    assertThat(startCodes).as("concurrent starts: " + bodies(starts)).containsExactly(201, 409);
    assertThat(JSON.readTree(refused.body()).path("field").asText()).isEqualTo("prompt");
    String id = JSON.readTree(created.body()).get("id").asText();
    stack.awaitRollout(
        id, r -> r.path("live").path("state").asText().equals("CANARY"), "the stage to start", 120);
    HttpResponse<String> later = startRetrying503(nodeB, "/v1/rollouts", start);
    assertThat(later.statusCode()).as(later.body()).isEqualTo(409);
    assertThat(JSON.readTree(later.body()).path("field").asText()).isEqualTo("prompt");

    // node B serves the canary to about half the units before the rollback
    List<String> onCanary =
        await("node B serving the canary")
            .atMost(Duration.ofSeconds(30))
            .until(() -> unitsServed(nodeB, 2), units -> units.size() > UNITS / 4);

    // ---- concurrent controls through both nodes, while the fence sequence is watched
    AtomicBoolean watching = new AtomicBoolean(true);
    ConcurrentLinkedQueue<Long> fenceSeen = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> fenceWentBack = new ConcurrentLinkedQueue<>();
    Future<?> watcher =
        pool.submit(
            () -> {
              long previous = Long.MIN_VALUE;
              while (watching.get()) {
                try {
                  long fence =
                      stack.queryLong(
                          "SELECT fence_seq FROM routing WHERE prompt = '" + PROMPT + "'");
                  if (fence < previous) {
                    fenceWentBack.add(previous + " -> " + fence);
                  }
                  if (fence != previous) {
                    fenceSeen.add(fence);
                  }
                  previous = fence;
                  Thread.sleep(20);
                } catch (InterruptedException e) {
                  return null;
                }
              }
              return null;
            });
    ConcurrentLinkedQueue<String> answers = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> lost = new ConcurrentLinkedQueue<>();
    List<Future<?>> storm = new ArrayList<>();
    for (int thread = 0; thread < 4; thread++) {
      int node = thread % 2 == 0 ? nodeA : nodeB;
      Random random = new Random(thread);
      storm.add(
          pool.submit(
              () -> {
                for (int i = 0; i < CONTROLS_PER_THREAD; i++) {
                  String action = random.nextBoolean() ? "pause" : "resume";
                  control(node, id, action, answers, lost);
                }
                return null;
              }));
    }
    for (Future<?> f : storm) {
      f.get(5, TimeUnit.MINUTES);
    }
    // an abort through A racing a pause and a resume through B
    go = new CountDownLatch(1);
    CountDownLatch racing = go;
    Future<Long> abortAnsweredAt =
        pool.submit(
            () -> {
              racing.await();
              control(nodeA, id, "abort", answers, lost);
              return System.nanoTime();
            });
    Future<?> pauseB =
        pool.submit(
            () -> {
              racing.await();
              control(nodeB, id, "pause", answers, lost);
              return null;
            });
    Future<?> resumeB =
        pool.submit(
            () -> {
              racing.await();
              control(nodeB, id, "resume", answers, lost);
              return null;
            });
    go.countDown();
    long answeredAt = abortAnsweredAt.get(2, TimeUnit.MINUTES);
    pauseB.get(2, TimeUnit.MINUTES);
    resumeB.get(2, TimeUnit.MINUTES);

    // ---- node B serves the rollback: every unit it had on the canary gets the stable version
    List<String> stillOnCanary = new ArrayList<>(onCanary);
    long servedStableAt =
        await("node B serving stable to every unit it had on the canary")
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(10))
            .until(
                () -> {
                  stillOnCanary.removeIf(unit -> resolved(nodeB, unit) == 1);
                  return stillOnCanary.isEmpty() ? System.nanoTime() : -1L;
                },
                at -> at > 0);
    long rollbackServedMillis = Math.max(0, (servedStableAt - answeredAt) / 1_000_000);
    watching.set(false);
    watcher.get(30, TimeUnit.SECONDS);

    JsonNode ended =
        stack.awaitRollout(
            id, r -> r.get("state").asText().equals("ABORTED"), "the read model to say ABORTED");
    String routing =
        stack.queryString(
            "SELECT concat_ws(',', stable_version, coalesce(canary_version::text, '-'),"
                + " canary_weight_bp, coalesce(rollout_id, '-')) FROM routing WHERE prompt = '"
                + PROMPT
                + "'");
    long accepted = answers.stream().filter(a -> a.startsWith("200")).count();
    try {
      await("every accepted control audited")
          .atMost(Duration.ofSeconds(60))
          .until(() -> audited(id) >= accepted);
    } catch (ConditionTimeoutException missing) {
      // reported with every answer below, then the count's assertion fails naming them
    }
    long auditedControls = audited(id);
    List<Integer> allUnitsOnB = new ArrayList<>();
    for (int unit = 0; unit < UNITS; unit++) {
      allUnitsOnB.add(resolved(nodeB, "u" + unit));
    }

    new FaultReport("two-nodes")
        .put("concurrentStarts", startCodes.toString())
        .put("refusedField", JSON.readTree(refused.body()).path("field").asText())
        .put("laterStartThroughB", later.statusCode())
        .put("unitsOnCanaryAtB", onCanary.size())
        .put("controlsSent", answers.size() + lost.size())
        .put("controlsAccepted", accepted)
        .put("controlsRefused409", answers.stream().filter(a -> a.startsWith("409")).count())
        .put("controlsLost", lost.size())
        .put("controlsRetriedAfter503", retried503.size())
        .put("first503", retried503.stream().findFirst().orElse(""))
        .put("controlsAudited", auditedControls)
        .put("fenceSequence", fenceSeen.toString())
        .put("fenceWentBack", fenceWentBack.size())
        .put("finalState", ended.get("state").asText())
        .put("finalRouting", routing)
        .put("rollbackServedByOtherNodeMillis", rollbackServedMillis)
        .put("answers", List.copyOf(answers))
        .write();

    assertThat(lost).as("controls without an answer (timeouts, 5xx)").isEmpty();
    assertThat(answers).allMatch(a -> a.startsWith("200") || a.startsWith("409"));
    assertThat(auditedControls)
        .as("accepted controls audited once each; answers: " + answers)
        .isEqualTo(accepted);
    assertThat(fenceWentBack).as("fence sequence going back").isEmpty();
    assertThat(ended.get("state").asText()).isEqualTo("ABORTED");
    assertThat(routing).as("stable,canary,weight,owner").isEqualTo("1,-,0,-");
    assertThat(allUnitsOnB).as("node B serves the stable version to every unit").containsOnly(1);
  }

  private Callable<HttpResponse<String>> atOnce(
      CountDownLatch go, int node, String path, String body) {
    return () -> {
      go.await();
      return startRetrying503(node, path, body);
    };
  }

  /**
   * Sends a start, and again after 1 s while it is answered 503, as a client told 503 does (and as
   * {@link #control} does): under a load average of 30-50 a node's first call to Temporal, its
   * channel still connecting, can miss the API's 2 s patience.
   */
  private HttpResponse<String> startRetrying503(int node, String path, String body)
      throws Exception {
    HttpResponse<String> reply = stack.post(node, path, body);
    for (int tries = 1; reply.statusCode() == 503 && tries < 5; tries++) {
      retried503.add("start " + reply.body());
      Thread.sleep(1000);
      reply = stack.post(node, path, body);
    }
    return reply;
  }

  /** Sends one control and notes its answer ("CODE state"), or that it got none. */
  private void control(
      int node,
      String id,
      String action,
      ConcurrentLinkedQueue<String> answers,
      ConcurrentLinkedQueue<String> lost) {
    try {
      HttpResponse<String> reply;
      int tries = 0;
      do {
        if (tries++ > 0) {
          Thread.sleep(1000); // a client told 429 or 503 waits and sends the same control again
        }
        reply =
            stack.post(
                node,
                "/v1/rollouts/" + id + "/" + action,
                "{\"actor\": \"it\", \"reason\": \"two nodes " + action + "\"}");
        if (reply.statusCode() == 503) {
          // Temporal did not answer the API's pre-check within its 2 s patience (seen under a
          // load average of 17): the control was not sent, and a client retries it.
          retried503.add(action + " " + reply.body());
        }
      } while ((reply.statusCode() == 429 || reply.statusCode() == 503) && tries < 5);
      if (reply.statusCode() == 200 || reply.statusCode() == 409) {
        answers.add(reply.statusCode() + " " + action + " " + reply.body());
      } else {
        lost.add(reply.statusCode() + " " + action + " " + reply.body());
      }
    } catch (Exception e) {
      lost.add("no answer to " + action + ": " + e);
    }
  }

  /** The units out of {@link #UNITS} that {@code node} serves {@code version}. */
  private List<String> unitsServed(int node, int version) {
    List<String> units = new ArrayList<>();
    for (int unit = 0; unit < UNITS; unit++) {
      if (resolved(node, "u" + unit) == version) {
        units.add("u" + unit);
      }
    }
    return units;
  }

  /** The version {@code node} resolves for {@code unit}, or -1 when it does not answer. */
  private int resolved(int node, String unit) {
    try {
      HttpResponse<String> reply =
          stack.get(node, "/v1/prompts/" + PROMPT + "/resolve?unit=" + unit);
      return reply.statusCode() == 200 ? JSON.readTree(reply.body()).path("version").asInt() : -1;
    } catch (Exception e) {
      return -1;
    }
  }

  private long audited(String id) throws Exception {
    return stack.queryLong(
        "SELECT count(*) FROM audit_log WHERE rollout_id = '"
            + id
            + "' AND action IN ('rollout.pause', 'rollout.resume', 'rollout.abort')");
  }

  private static String bodies(List<HttpResponse<String>> replies) {
    StringBuilder out = new StringBuilder();
    for (HttpResponse<String> r : replies) {
      out.append(r.statusCode()).append(' ').append(r.body()).append("; ");
    }
    return out.toString();
  }
}
