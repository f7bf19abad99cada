package dev.promptcanary.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.promptcanary.api.TestApps;
import dev.promptcanary.testkit.JarProcess;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dev} (embedded PostgreSQL and Temporal, its own worker, the API) SIGKILLed while traffic
 * is being ingested and a rollout runs, then started again on the same data directory, as a user
 * would: it comes up (the postmaster the dead process left behind is stopped first, the embedded
 * Temporal's port is free again), every batch of observations it acknowledged is there, no batch is
 * there in part, and the rollout is still running and answers a control.
 */
@Tag("slow")
class DevCrashIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PROMPT = "crash-dev";
  private static final int BATCH = 20;

  private ProcessStack stack;

  @TempDir Path work;

  @AfterEach
  void stopChildren() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void aKilledDevRestartsOnItsDataAndLosesNothingItAcknowledged() {
    stack = new ProcessStack(work);
    stack.run(this::scenario);
  }

  private void scenario() throws Exception {
    JarProcess first = stack.startDev("dev-1", true);
    assertThat(stack.post("/v1/prompts/" + PROMPT + "/versions", TestApps.version(1)).statusCode())
        .isEqualTo(201);
    assertThat(stack.post("/v1/prompts/" + PROMPT + "/versions", TestApps.version(2)).statusCode())
        .isEqualTo(201);
    String id =
        stack.startRollout(
            """
        {"prompt": "%s", "candidateVersion": 2, "startedBy": "crash-test",
         "stages": [{"weightBp": 5000, "minJudgements": 100000, "minBakeSeconds": 0, "maxBakeSeconds": 3600}]}"""
                .formatted(PROMPT));
    stack.awaitRollout(id, r -> r.get("state").asText().equals("CANARY"), "the stage to start");

    // Traffic from two clients: each batch is acknowledged (200) or not, and remembered either way.
    ConcurrentLinkedQueue<Integer> acknowledged = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Integer> sent = new ConcurrentLinkedQueue<>();
    AtomicBoolean running = new AtomicBoolean(true);
    CountDownLatch someAcknowledged = new CountDownLatch(40);
    List<Thread> clients = new ArrayList<>();
    for (int client = 0; client < 2; client++) {
      int first0 = client * 1_000_000;
      Thread thread =
          new Thread(
              () -> {
                for (int batch = first0; running.get(); batch++) {
                  sent.add(batch);
                  try {
                    HttpResponse<String> reply = stack.post("/v1/observations", batch(batch));
                    if (reply.statusCode() == 200) {
                      acknowledged.add(batch);
                      someAcknowledged.countDown();
                    }
                  } catch (Exception e) {
                    // dev is gone: the batch in flight may or may not have been stored.
                    return;
                  }
                }
              },
              "client-" + client);
      thread.start();
      clients.add(thread);
    }
    assertThat(someAcknowledged.await(60, TimeUnit.SECONDS))
        .as("40 batches acknowledged before the kill")
        .isTrue();

    ProcessStack.kill(first);
    running.set(false);
    for (Thread thread : clients) {
      thread.join(TimeUnit.SECONDS.toMillis(40));
    }

    JarProcess second = stack.startDev("dev-2", true);
    assertThat(second.logTail(400, line -> true))
        .as("the postmaster the killed dev left running was stopped, not waited for")
        .contains("stopping the postmaster");

    Set<String> stored =
        new HashSet<>(
            stack.queryStrings(
                "SELECT request_id FROM observations WHERE prompt = '" + PROMPT + "'"));
    List<String> missing = new ArrayList<>();
    for (int batch : acknowledged) {
      for (int i = 0; i < BATCH; i++) {
        if (!stored.contains(requestId(batch, i))) {
          missing.add(requestId(batch, i));
        }
      }
    }
    assertThat(missing).as("acknowledged observations lost").isEmpty();
    for (int batch : sent) {
      long present =
          java.util.stream.IntStream.range(0, BATCH)
              .filter(i -> stored.contains(requestId(batch, i)))
              .count();
      assertThat(present)
          .as("batch " + batch + " stored whole or not at all")
          .isIn(0L, (long) BATCH);
    }
    assertThat(stored).hasSizeGreaterThanOrEqualTo(acknowledged.size() * BATCH);

    // The rollout is still running (the same run on the CLI's dev server, re-created from its
    // checkpoint on the Java test server) and a control reaches it.
    JsonNode rollout =
        stack.awaitRollout(
            id,
            r -> r.hasNonNull("live") && r.get("state").asText().equals("CANARY"),
            "the rollout live again",
            120);
    assertThat(rollout.has("resumedFromRunId")).isEqualTo(!TestTemporal.cli());
    HttpResponse<String> aborted =
        stack.post(
            "/v1/rollouts/" + id + "/abort",
            "{\"actor\": \"it\", \"reason\": \"after the crash\"}");
    assertThat(aborted.statusCode()).as(aborted.body()).isEqualTo(200);
    assertThat(JSON.readTree(aborted.body()).get("state").asText()).isEqualTo("ABORTED");
  }

  private static String requestId(int batch, int i) {
    return "b" + batch + "-" + i;
  }

  /** A batch of observations from sessions of a few requests each, on both versions. */
  private static String batch(int batch) {
    StringJoiner items = new StringJoiner(",", "{\"observations\":[", "]}");
    for (int i = 0; i < BATCH; i++) {
      int session = i / 4;
      items.add(
          String.format(
              Locale.ROOT,
              """
              {"requestId":"%s","prompt":"%s","version":%d,"unit":"s%d-%d","latencyMs":%d,
               "error":false,"safetyFlag":false}""",
              requestId(batch, i),
              PROMPT,
              1 + (batch + session) % 2,
              batch,
              session,
              300 + (i * 37) % 400));
    }
    return items.toString();
  }
}
