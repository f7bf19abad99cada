package dev.promptcanary.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptcanary.api.TestApps;
import dev.promptcanary.testkit.JarProcess;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault 2: an API node restarted under ingest load, once gracefully (SIGTERM, as a deploy does) and
 * once by SIGKILL. Clients retry every batch that was not acknowledged with the same request ids,
 * as the API asks them to, until it is. Afterwards the store holds every observation exactly once:
 * the raw rows, and the per-unit aggregates the looks read, compared exactly with what was sent.
 */
@Tag("slow") // under 2 minutes: runs in the ordinary build (and CI) as well as in bench/faults
class ApiRestartIT {
  private static final String PROMPT = "restart-api";
  private static final int BATCH = 20;
  private static final int CLIENTS = 2;
  private static final int BATCHES_PER_CLIENT = 120;

  private ProcessStack stack;

  @TempDir Path work;

  @AfterEach
  void stopChildren() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void clientsRetryingWithTheSameRequestIdsLoseNothingAndCountNothingTwice() {
    stack = new ProcessStack(work);
    stack.run(this::scenario);
  }

  private void scenario() throws Exception {
    stack.startDev();
    assertThat(stack.post("/v1/prompts/" + PROMPT + "/versions", TestApps.version(1)).statusCode())
        .isEqualTo(201);
    assertThat(stack.post("/v1/prompts/" + PROMPT + "/versions", TestApps.version(2)).statusCode())
        .isEqualTo(201);
    int port = TestApps.freePort();
    int adminPort = TestApps.freePort();
    JarProcess api = stack.startApi("api-1", port, adminPort);

    AtomicInteger acknowledged = new AtomicInteger();
    AtomicInteger retries = new AtomicInteger();
    AtomicLong lastAckNanos = new AtomicLong(System.nanoTime());
    AtomicLong longestGapNanos = new AtomicLong();
    ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
    List<Thread> clients = new ArrayList<>();
    long started = System.nanoTime();
    for (int client = 0; client < CLIENTS; client++) {
      int first = client * BATCHES_PER_CLIENT;
      Thread thread =
          new Thread(
              () -> {
                for (int batch = first; batch < first + BATCHES_PER_CLIENT; batch++) {
                  String body = batch(batch);
                  while (true) {
                    int status;
                    try {
                      HttpResponse<String> reply = stack.post(port, "/v1/observations", body);
                      status = reply.statusCode();
                      if (status / 100 == 4) {
                        unexpected.add(new AssertionError(status + " " + reply.body()));
                        return;
                      }
                    } catch (InterruptedException e) {
                      return;
                    } catch (Exception refusedOrCut) {
                      status = -1; // the node is down, or died with the request in flight
                    }
                    if (status == 200) {
                      long now = System.nanoTime();
                      long gap = now - lastAckNanos.getAndSet(now);
                      longestGapNanos.accumulateAndGet(gap, Math::max);
                      acknowledged.incrementAndGet();
                      break;
                    }
                    retries.incrementAndGet();
                    try {
                      Thread.sleep(100);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                }
              },
              "client-" + client);
      thread.start();
      clients.add(thread);
    }

    awaitAcknowledged(acknowledged, 40);
    double baselineRate =
        acknowledged.get() / ((System.nanoTime() - started) / 1e9); // batches/s with no fault
    long downFrom = System.nanoTime();
    api.stop(); // SIGTERM: Dropwizard drains and stops, as in a rolling deploy
    api = stack.startApi("api-2", port, adminPort);
    long gracefulRestartMillis = (System.nanoTime() - downFrom) / 1_000_000;

    awaitAcknowledged(acknowledged, acknowledged.get() + 40);
    downFrom = System.nanoTime();
    ProcessStack.kill(api); // SIGKILL with requests in flight
    api = stack.startApi("api-3", port, adminPort);
    long killRestartMillis = (System.nanoTime() - downFrom) / 1_000_000;

    for (Thread thread : clients) {
      thread.join(TimeUnit.MINUTES.toMillis(5));
    }
    double seconds = (System.nanoTime() - started) / 1e9;

    long sent = (long) CLIENTS * BATCHES_PER_CLIENT * BATCH;
    long expectedErrors = 0;
    for (int batch = 0; batch < CLIENTS * BATCHES_PER_CLIENT; batch++) {
      for (int i = 0; i < BATCH; i++) {
        expectedErrors += error(batch, i) ? 1 : 0;
      }
    }
    String ours = "prompt = '" + PROMPT + "'";
    long rows = stack.queryLong("SELECT count(*) FROM observations WHERE " + ours);
    long distinct =
        stack.queryLong("SELECT count(DISTINCT request_id) FROM observations WHERE " + ours);
    long aggregated = stack.queryLong("SELECT sum(requests) FROM unit_sums WHERE " + ours);
    long aggregatedErrors = stack.queryLong("SELECT sum(errors) FROM unit_sums WHERE " + ours);
    new FaultReport("api-restart")
        .put("observationsSent", sent)
        .put("batchesAcknowledged", acknowledged.get())
        .put("stored", rows)
        .put("lost", sent - distinct)
        .put("doubleCounted", aggregated - sent)
        .put("errorsExpected", expectedErrors)
        .put("errorsAggregated", aggregatedErrors)
        .put("retries", retries.get())
        .put("gracefulRestartMillis", gracefulRestartMillis)
        .put("killRestartMillis", killRestartMillis)
        .put("longestAckGapMillis", longestGapNanos.get() / 1_000_000)
        .put("baselineBatchesPerSecond", round(baselineRate))
        .put("overallBatchesPerSecond", round(acknowledged.get() / seconds))
        .write();

    assertThat(unexpected).as("answers a retry cannot fix").isEmpty();
    assertThat(acknowledged.get()).isEqualTo(CLIENTS * BATCHES_PER_CLIENT);
    assertThat(retries.get()).as("the restarts refused or cut some requests").isPositive();
    assertThat(rows).as("observations stored").isEqualTo(sent);
    assertThat(distinct).as("distinct request ids stored").isEqualTo(sent);
    assertThat(aggregated).as("requests in the per-unit aggregates").isEqualTo(sent);
    assertThat(aggregatedErrors).as("errors in the per-unit aggregates").isEqualTo(expectedErrors);
  }

  private static double round(double value) {
    return Math.round(value * 10) / 10.0;
  }

  private void awaitAcknowledged(AtomicInteger acknowledged, int atLeast) {
    org.awaitility.Awaitility.await("batches acknowledged: " + atLeast)
        .atMost(java.time.Duration.ofMinutes(3))
        .pollInterval(java.time.Duration.ofMillis(100))
        .until(() -> acknowledged.get() >= atLeast);
  }

  private static String requestId(int batch, int i) {
    return "b" + batch + "-" + i;
  }

  /** One request in 16, spread over units, is an error: the aggregate of errors is checked too. */
  private static boolean error(int batch, int i) {
    return (batch * 7 + i) % 16 == 0;
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
               "error":%b,"safetyFlag":false}""",
              requestId(batch, i),
              PROMPT,
              1 + (batch + session) % 2,
              batch,
              session,
              300 + (i * 37) % 400,
              error(batch, i)));
    }
    return items.toString();
  }
}
