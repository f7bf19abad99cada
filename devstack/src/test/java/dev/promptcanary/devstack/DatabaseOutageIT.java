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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault 3: PostgreSQL unreachable for 30 s while a rollout runs its canary stage under traffic. An
 * API node and a worker reach dev's PostgreSQL through a {@link TcpProxy} the test cuts (every
 * connection reset, new ones refused, as a stopped server gives them; the embedded server itself
 * cannot be stopped and restarted from outside dev). Ingest answers 503 with Retry-After meanwhile
 * (never a 500), resolve keeps serving from memory, clients retrying with the same request ids lose
 * nothing and count nothing twice, and the rollout goes on afterwards by itself: a look failing
 * through the outage is tried again until the store is back (change id {@code store-outage-retry}),
 * so the rollout never holds (its state, live or in the read model, is watched every second) and a
 * look after the outage, with no resume, reads the new data.
 */
@Tag("slow")
@Tag("faults")
class DatabaseOutageIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PROMPT = "db-outage";
  private static final int BATCH = 20;
  private static final int CLIENTS = 2;
  private static final int BATCHES_PER_CLIENT = 100;
  private static final Duration OUTAGE = Duration.ofSeconds(30);

  private ProcessStack stack;
  private TcpProxy database;

  @TempDir Path work;

  @AfterEach
  void stopChildren() {
    if (stack != null) {
      stack.close();
    }
    if (database != null) {
      try {
        database.close();
      } catch (java.io.IOException ignored) {
        // closing anyway
      }
    }
  }

  @Test
  void ingestAnswers503MeanwhileAndNothingIsLostAndTheRolloutGoesOn() {
    stack = new ProcessStack(work);
    stack.run(this::scenario);
  }

  private void scenario() throws Exception {
    stack.startDev(); // PostgreSQL, Temporal and an API the test reads through, never cut
    database = new TcpProxy(TestApps.freePort(), stack.dbPort()).restore();
    Map<String, String> throughProxy =
        Map.of("PROMPTCANARY_DB_URL", ProcessStack.jdbcUrl(database.port()));
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
    stack.awaitRollout(id, r -> r.get("state").asText().equals("CANARY"), "the stage to start");

    AtomicInteger acknowledged = new AtomicInteger();
    AtomicInteger unavailable = new AtomicInteger();
    AtomicInteger unavailableWithoutRetryAfter = new AtomicInteger();
    ConcurrentLinkedQueue<String> otherAnswers = new ConcurrentLinkedQueue<>();
    AtomicBoolean outageOn = new AtomicBoolean();
    AtomicInteger resolvedDuringOutage = new AtomicInteger();
    AtomicInteger resolveFailuresDuringOutage = new AtomicInteger();
    AtomicBoolean running = new AtomicBoolean(true);
    List<Thread> threads = new ArrayList<>();
    for (int client = 0; client < CLIENTS; client++) {
      int first = client * BATCHES_PER_CLIENT;
      threads.add(
          new Thread(
              () -> {
                for (int batch = first; batch < first + BATCHES_PER_CLIENT; batch++) {
                  String body = batch(batch);
                  while (running.get()) {
                    try {
                      HttpResponse<String> reply = stack.post(port, "/v1/observations", body);
                      if (reply.statusCode() == 200) {
                        acknowledged.incrementAndGet();
                        break;
                      }
                      if (reply.statusCode() == 503) {
                        unavailable.incrementAndGet();
                        if (reply.headers().firstValue("Retry-After").isEmpty()) {
                          unavailableWithoutRetryAfter.incrementAndGet();
                        }
                      } else {
                        otherAnswers.add(reply.statusCode() + " " + reply.body());
                      }
                    } catch (Exception e) {
                      otherAnswers.add("no answer: " + e);
                    }
                    try {
                      Thread.sleep(250);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                }
              },
              "client-" + client));
    }
    threads.add(
        new Thread(
            () -> {
              for (int i = 0; running.get(); i++) {
                try {
                  HttpResponse<String> reply =
                      stack.get(port, "/v1/prompts/" + PROMPT + "/resolve?unit=reader-" + (i % 50));
                  if (outageOn.get()) {
                    (reply.statusCode() == 200 ? resolvedDuringOutage : resolveFailuresDuringOutage)
                        .incrementAndGet();
                  }
                  Thread.sleep(100);
                } catch (InterruptedException e) {
                  return;
                } catch (Exception e) {
                  if (outageOn.get()) {
                    resolveFailuresDuringOutage.incrementAndGet();
                  }
                }
              }
            },
            "resolver"));
    ConcurrentLinkedQueue<String> heldSeen = new ConcurrentLinkedQueue<>();
    threads.add(
        new Thread(
            () -> {
              while (running.get()) {
                try {
                  JsonNode r = stack.rollout(id); // through dev's own API, never cut
                  String live = r.path("live").path("state").asText("");
                  if (live.equals("PAUSED") || r.path("state").asText().equals("PAUSED")) {
                    heldSeen.add(
                        r.path("state").asText()
                            + "/"
                            + live
                            + " "
                            + r.path("live").path("pauseReason"));
                  }
                  Thread.sleep(1000);
                } catch (InterruptedException e) {
                  return;
                } catch (Exception | AssertionError e) {
                  // a query of the workflow may time out under load: the next poll tries again
                }
              }
            },
            "watcher"));
    threads.forEach(Thread::start);

    await("40 batches acknowledged")
        .atMost(Duration.ofMinutes(3))
        .until(() -> acknowledged.get() >= 40);
    long seenBefore = seenByTheLastLook(stack.rollout(id));

    long down = System.nanoTime();
    database.cut();
    outageOn.set(true);
    Thread.sleep(OUTAGE.toMillis());
    outageOn.set(false);
    database.restore();
    long outageMillis = (System.nanoTime() - down) / 1_000_000;
    int acknowledgedAtRecovery = acknowledged.get();
    long seenAtRecovery = seenByTheLastLook(stack.rollout(id));

    long recovered = System.nanoTime();
    await("every batch acknowledged")
        .atMost(Duration.ofMinutes(4))
        .until(() -> acknowledged.get() == CLIENTS * BATCHES_PER_CLIENT);
    long drainMillis = (System.nanoTime() - recovered) / 1_000_000;

    // The rollout rides the outage out by itself (change id store-outage-retry): its look is
    // tried again until the store is back, so it never holds and nobody resumes it.
    JsonNode looked =
        stack.awaitRollout(
            id,
            r -> r.get("state").asText().equals("CANARY") && seenByTheLastLook(r) > seenAtRecovery,
            "a look after the outage reading data that arrived after it, without a resume",
            120);
    long firstLookAfterRecoveryMillis = (System.nanoTime() - recovered) / 1_000_000;
    JsonNode timeline = looked.path("live").path("timeline");
    int storeUnavailableNotes = 0;
    for (JsonNode entry : timeline) {
      if (entry.path("event").asText().equals("store unavailable")) {
        storeUnavailableNotes++;
      }
    }
    running.set(false);
    for (Thread thread : threads) {
      thread.join(TimeUnit.SECONDS.toMillis(20));
    }

    long sent = (long) CLIENTS * BATCHES_PER_CLIENT * BATCH;
    String ours = "prompt = '" + PROMPT + "'";
    long rows = stack.queryLong("SELECT count(*) FROM observations WHERE " + ours);
    long aggregated = stack.queryLong("SELECT sum(requests) FROM unit_sums WHERE " + ours);
    new FaultReport("database-outage")
        .put("outageMillis", outageMillis)
        .put("observationsSent", sent)
        .put("stored", rows)
        .put("lost", sent - rows)
        .put("doubleCounted", aggregated - sent)
        .put("ingest503", unavailable.get())
        .put("ingest503WithoutRetryAfter", unavailableWithoutRetryAfter.get())
        .put("ingestOtherAnswers", otherAnswers.size())
        .put("resolvedDuringOutage", resolvedDuringOutage.get())
        .put("resolveFailuresDuringOutage", resolveFailuresDuringOutage.get())
        .put("batchesAcknowledgedBeforeRecovery", acknowledgedAtRecovery)
        .put("drainMillisAfterRecovery", drainMillis)
        .put("rolloutHeld", !heldSeen.isEmpty())
        .put("heldSeen", String.join("; ", heldSeen))
        .put("resumedByHand", false)
        .put("firstLookAfterRecoveryMillis", firstLookAfterRecoveryMillis)
        .put("storeUnavailableNotes", storeUnavailableNotes)
        .put("lookSawBefore", seenBefore)
        .put("lookSawAtRecovery", seenAtRecovery)
        .put("lookSawAfter", seenByTheLastLook(looked))
        .write();

    assertThat(otherAnswers).as("ingest answers other than 200 and 503").isEmpty();
    assertThat(unavailable.get()).as("503s while PostgreSQL was down").isPositive();
    assertThat(unavailableWithoutRetryAfter.get()).as("503s without Retry-After").isZero();
    assertThat(resolveFailuresDuringOutage.get()).as("resolve failures during the outage").isZero();
    assertThat(resolvedDuringOutage.get()).as("resolves served from memory").isPositive();
    assertThat(rows).as("observations stored").isEqualTo(sent);
    assertThat(aggregated).as("requests in the per-unit aggregates").isEqualTo(sent);
    assertThat(heldSeen).as("the rollout held during or after the outage").isEmpty();
    HttpResponse<String> aborted =
        stack.post("/v1/rollouts/" + id + "/abort", "{\"actor\": \"it\", \"reason\": \"done\"}");
    assertThat(aborted.statusCode()).as(aborted.body()).isEqualTo(200);
    assertThat(JSON.readTree(aborted.body()).get("state").asText()).isEqualTo("ABORTED");
  }

  /** Observations on both arms the rollout's last look read (0 before the first look). */
  private static long seenByTheLastLook(JsonNode rollout) {
    JsonNode live = rollout.path("live");
    return live.path("canaryObservations").asLong(0) + live.path("stableObservations").asLong(0);
  }

  private static String requestId(int batch, int i) {
    return "b" + batch + "-" + i;
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
