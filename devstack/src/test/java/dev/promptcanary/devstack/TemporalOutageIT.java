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
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault 4: Temporal unreachable for 30 s while a rollout runs its canary stage under traffic. An
 * API node and a worker reach dev's Temporal frontend through a {@link TcpProxy} the test cuts.
 * Resolve and ingest keep serving (routing from memory, outcomes into PostgreSQL), rollout calls
 * answer 503 with {@code Retry-After} meanwhile (within the control's 8 s bound, so before the
 * test's 10 s client timeout), and afterwards the rollout goes on by itself: its looks read what
 * arrived during the outage, and a control reaches it.
 */
@Tag("slow")
@Tag("faults")
class TemporalOutageIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PROMPT = "temporal-outage";
  private static final int BATCH = 20;
  private static final int BATCHES = 160;
  private static final Duration OUTAGE = Duration.ofSeconds(30);

  private ProcessStack stack;
  private TcpProxy temporal;

  @TempDir Path work;

  @AfterEach
  void stopChildren() throws Exception {
    if (stack != null) {
      stack.close();
    }
    if (temporal != null) {
      temporal.close();
    }
  }

  @Test
  void resolveAndIngestServeRolloutCallsAnswer503AndTheRolloutGoesOn() {
    stack = new ProcessStack(work);
    stack.run(this::scenario);
  }

  private void scenario() throws Exception {
    stack.startDev(); // PostgreSQL, Temporal and an API the test reads through, never cut
    temporal = new TcpProxy(TestApps.freePort(), stack.temporalPort()).restore();
    Map<String, String> throughProxy =
        Map.of("PROMPTCANARY_TEMPORAL_TARGET", "127.0.0.1:" + temporal.port());
    int port = TestApps.freePort();
    stack.startApi("api", port, TestApps.freePort(), throughProxy);
    stack.startWorker("worker", throughProxy);
    assertThat(stack.post("/v1/prompts/" + PROMPT + "/versions", TestApps.version(1)).statusCode())
        .isEqualTo(201);
    assertThat(stack.post("/v1/prompts/" + PROMPT + "/versions", TestApps.version(2)).statusCode())
        .isEqualTo(201);
    String id =
        stack.startRollout(
            """
        {"prompt": "%s", "candidateVersion": 2, "startedBy": "outage-test", "checkIntervalSeconds": 5,
         "stages": [{"weightBp": 5000, "minJudgements": 100000, "minBakeSeconds": 0, "maxBakeSeconds": 3600}]}"""
                .formatted(PROMPT));
    stack.awaitRollout(
        id, r -> r.path("live").path("state").asText().equals("CANARY"), "the stage to start");

    AtomicBoolean outageOn = new AtomicBoolean();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger acknowledged = new AtomicInteger();
    AtomicInteger ingestFailuresDuringOutage = new AtomicInteger();
    AtomicInteger ingestedDuringOutage = new AtomicInteger();
    AtomicInteger resolvedDuringOutage = new AtomicInteger();
    AtomicInteger resolveFailuresDuringOutage = new AtomicInteger();
    AtomicInteger controls503 = new AtomicInteger();
    AtomicInteger controls503WithoutRetryAfter = new AtomicInteger();
    AtomicLong slowestControlMillis = new AtomicLong();
    ConcurrentLinkedQueue<String> otherControlAnswers = new ConcurrentLinkedQueue<>();
    List<Thread> threads = new ArrayList<>();
    threads.add(
        new Thread(
            () -> {
              for (int batch = 0; batch < BATCHES && running.get(); batch++) {
                String body = batch(batch);
                while (running.get()) {
                  boolean during = outageOn.get();
                  int status;
                  try {
                    status = stack.post(port, "/v1/observations", body).statusCode();
                  } catch (Exception e) {
                    status = -1;
                  }
                  if (during) {
                    (status == 200 ? ingestedDuringOutage : ingestFailuresDuringOutage)
                        .incrementAndGet();
                  }
                  if (status == 200) {
                    acknowledged.incrementAndGet();
                    break;
                  }
                  sleep(250);
                }
                sleep(150);
              }
            },
            "client"));
    threads.add(
        new Thread(
            () -> {
              for (int i = 0; running.get(); i++) {
                boolean during = outageOn.get();
                int status;
                try {
                  status =
                      stack
                          .get(port, "/v1/prompts/" + PROMPT + "/resolve?unit=reader-" + (i % 50))
                          .statusCode();
                } catch (Exception e) {
                  status = -1;
                }
                if (during) {
                  (status == 200 ? resolvedDuringOutage : resolveFailuresDuringOutage)
                      .incrementAndGet();
                }
                sleep(100);
              }
            },
            "resolver"));
    threads.add(
        new Thread(
            () -> {
              while (running.get()) {
                if (outageOn.get()) {
                  // A resume of a running rollout changes nothing when it arrives (409): harmless.
                  long sent = System.nanoTime();
                  try {
                    HttpResponse<String> reply =
                        stack.post(
                            port,
                            "/v1/rollouts/" + id + "/resume",
                            "{\"actor\": \"it\", \"reason\": \"probe\"}");
                    slowestControlMillis.accumulateAndGet(
                        (System.nanoTime() - sent) / 1_000_000, Math::max);
                    if (!outageOn.get()) {
                      continue; // answered after the cut ended: not a figure of the outage
                    }
                    if (reply.statusCode() == 503) {
                      controls503.incrementAndGet();
                      if (reply.headers().firstValue("Retry-After").isEmpty()) {
                        controls503WithoutRetryAfter.incrementAndGet();
                      }
                    } else {
                      otherControlAnswers.add(reply.statusCode() + " " + reply.body());
                    }
                  } catch (Exception e) {
                    otherControlAnswers.add("no answer: " + e);
                  }
                }
                sleep(1000);
              }
            },
            "controls"));
    threads.forEach(Thread::start);

    await("40 batches acknowledged")
        .atMost(Duration.ofMinutes(3))
        .until(() -> acknowledged.get() >= 40);
    temporal.cut();
    outageOn.set(true);
    long down = System.nanoTime();
    Thread.sleep(OUTAGE.toMillis());
    outageOn.set(false);
    temporal.restore();
    long outageMillis = (System.nanoTime() - down) / 1_000_000;
    long seenAtRecovery = seenByTheLastLook(stack.rollout(id));

    long recovered = System.nanoTime();
    JsonNode looked =
        stack.awaitRollout(
            id,
            r ->
                r.path("live").path("state").asText().equals("CANARY")
                    && seenByTheLastLook(r) > seenAtRecovery,
            "a look after the outage reading data that arrived after it",
            180);
    long firstLookAfterMillis = (System.nanoTime() - recovered) / 1_000_000;
    // The API node's first calls after the outage may still find its channel reconnecting (503).
    HttpResponse<String> aborted =
        await("an abort through the API node")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofSeconds(1))
            .ignoreExceptions()
            .until(
                () ->
                    stack.post(
                        port,
                        "/v1/rollouts/" + id + "/abort",
                        "{\"actor\": \"it\", \"reason\": \"done\"}"),
                reply -> reply.statusCode() != 503);
    running.set(false);
    for (Thread thread : threads) {
      thread.join(TimeUnit.SECONDS.toMillis(20));
    }

    new FaultReport("temporal-outage")
        .put("outageMillis", outageMillis)
        .put("ingestedDuringOutage", ingestedDuringOutage.get())
        .put("ingestFailuresDuringOutage", ingestFailuresDuringOutage.get())
        .put("resolvedDuringOutage", resolvedDuringOutage.get())
        .put("resolveFailuresDuringOutage", resolveFailuresDuringOutage.get())
        .put("controls503", controls503.get())
        .put("controlsOther", otherControlAnswers.size())
        .put("controls503WithoutRetryAfter", controls503WithoutRetryAfter.get())
        .put("slowestControlMillis", slowestControlMillis.get())
        .put("firstLookAfterRecoveryMillis", firstLookAfterMillis)
        .put("lookSawAtRecovery", seenAtRecovery)
        .put("lookSawAfter", seenByTheLastLook(looked))
        .put("abortAfterwards", aborted.statusCode())
        .write();

    assertThat(ingestFailuresDuringOutage.get()).as("ingest failures during the outage").isZero();
    assertThat(ingestedDuringOutage.get()).as("batches ingested during the outage").isPositive();
    assertThat(resolveFailuresDuringOutage.get()).as("resolve failures during the outage").isZero();
    assertThat(resolvedDuringOutage.get()).as("resolves during the outage").isPositive();
    assertThat(otherControlAnswers).as("rollout calls answered other than 503").isEmpty();
    assertThat(controls503.get()).as("rollout calls answered 503").isPositive();
    assertThat(controls503WithoutRetryAfter.get()).as("503s without Retry-After").isZero();
    assertThat(aborted.statusCode()).as(aborted.body()).isEqualTo(200);
    assertThat(JSON.readTree(aborted.body()).get("state").asText()).isEqualTo("ABORTED");
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Observations on both arms the rollout's last look read (0 before the first look). */
  private static long seenByTheLastLook(JsonNode rollout) {
    JsonNode live = rollout.path("live");
    return live.path("canaryObservations").asLong(0) + live.path("stableObservations").asLong(0);
  }

  /** A batch of observations from sessions of four requests each, on both versions. */
  private static String batch(int batch) {
    StringJoiner items = new StringJoiner(",", "{\"observations\":[", "]}");
    for (int i = 0; i < BATCH; i++) {
      int session = i / 4;
      items.add(
          String.format(
              Locale.ROOT,
              """
              {"requestId":"b%d-%d","prompt":"%s","version":%d,"unit":"s%d-%d","latencyMs":%d,
               "error":false,"safetyFlag":false}""",
              batch,
              i,
              PROMPT,
              1 + (batch + session) % 2,
              batch,
              session,
              300 + (i * 37) % 400));
    }
    return items.toString();
  }
}
