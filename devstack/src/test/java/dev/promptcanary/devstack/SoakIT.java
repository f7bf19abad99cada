package dev.promptcanary.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.promptcanary.api.TestApps;
import dev.promptcanary.testkit.JarProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault 6: a soak. An API node ({@code server}) and a worker against dev's PostgreSQL and Temporal,
 * two rollouts in their canary stage looking every 5 s. First, in the same run, a short closed-loop
 * ramp ({@link #RAMP}, {@link #RAMP_CLIENTS} clients as fast as they are answered) measures the
 * maximum rate of requests of the node and this test's clients together, on the same machine; then
 * sessions arrive at a fixed rate giving half of it, for {@code -Dpromptcanary.soak.minutes}
 * (default 10). A session is one unit's four resolves of one prompt and one ingest batch of the
 * four observations those requests made, on the versions resolved (so a unit's requests are
 * correlated). Asserted: zero errors (every request answered 200), every acknowledged observation
 * stored, and after a full GC the API node's heap, open file descriptors and threads are within
 * stated bounds of the same figures taken after the ramp: heap at most twice the before figure or
 * 64 MB more, whichever is larger; descriptors and threads at most 25 more.
 */
@Tag("slow")
@Tag("faults")
class SoakIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> PROMPTS = List.of("soak-a", "soak-b");
  private static final Duration RAMP = Duration.ofSeconds(30);
  private static final int RAMP_CLIENTS = 24;

  /** Sessions in flight past which the node counts as falling behind. */
  private static final int MAX_IN_FLIGHT = 48;

  private static final int REQUESTS_PER_SESSION = 5;
  private static final long HEAP_SLACK_BYTES = 64L << 20;
  private static final int DESCRIPTOR_SLACK = 25;
  private static final int THREAD_SLACK = 25;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private ProcessStack stack;
  private String key;
  private ExecutorService clients;
  private ScheduledExecutorService arrivals;

  @TempDir Path work;

  @AfterEach
  void stopChildren() {
    if (arrivals != null) {
      arrivals.shutdownNow();
    }
    if (clients != null) {
      clients.shutdownNow();
    }
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void halfTheMaximumRateForMinutesWithoutErrorsOrGrowth() {
    stack = new ProcessStack(work);
    stack.run(this::scenario);
  }

  private void scenario() throws Exception {
    Duration soak = Duration.ofMinutes(Long.getLong("promptcanary.soak.minutes", 10));
    stack.startDev(); // PostgreSQL and Temporal; the load goes to the API node
    int port = TestApps.freePort();
    JarProcess api = stack.startApi("api", port, TestApps.freePort());
    JarProcess worker = stack.startWorker("worker", Map.of());
    List<String> rollouts = new ArrayList<>();
    for (String prompt : PROMPTS) {
      assertThat(stack.post(port, "/v1/prompts/" + prompt + "/versions", TestApps.version(1)))
          .extracting(HttpResponse::statusCode)
          .isEqualTo(201);
      assertThat(stack.post(port, "/v1/prompts/" + prompt + "/versions", TestApps.version(2)))
          .extracting(HttpResponse::statusCode)
          .isEqualTo(201);
      rollouts.add(
          stack.startRollout(
              """
              {"prompt": "%s", "candidateVersion": 2, "startedBy": "soak", "checkIntervalSeconds": 5,
               "stages": [{"weightBp": 5000, "minJudgements": 1000000, "minBakeSeconds": 0,
                           "maxBakeSeconds": 86400}]}"""
                  .formatted(prompt)));
    }
    for (String id : rollouts) {
      stack.awaitRollout(
          id, r -> r.path("live").path("state").asText().equals("CANARY"), "canary", 120);
    }

    // ---- the ramp: the most this node answers, closed loop
    Load ramp = new Load();
    clients = Executors.newFixedThreadPool(MAX_IN_FLIGHT + 8);
    key = stack.adminKey();
    AtomicBoolean ramping = new AtomicBoolean(true);
    for (int c = 0; c < RAMP_CLIENTS; c++) {
      clients.submit(
          () -> {
            while (ramping.get()) {
              session(port, ramp);
            }
          });
    }
    Thread.sleep(RAMP.toMillis());
    ramping.set(false);
    long rampMillis = RAMP.toMillis();
    double maxPerSecond = ramp.requests.get() * 1000.0 / rampMillis;
    Thread.sleep(2000); // let the ramp's last sessions finish

    Figures before = figures(api);
    Figures workerBefore = figures(worker);

    // ---- the soak: sessions at a fixed rate, half the maximum
    double targetPerSecond = maxPerSecond / 2;
    double sessionsPerSecond = targetPerSecond / REQUESTS_PER_SESSION;
    Load load = new Load();
    AtomicInteger behind = new AtomicInteger();
    arrivals = Executors.newSingleThreadScheduledExecutor();
    long periodNanos = (long) (1e9 / sessionsPerSecond);
    long started = System.nanoTime();
    arrivals.scheduleAtFixedRate(
        () -> {
          if (load.inFlight.get() > MAX_IN_FLIGHT) {
            behind.incrementAndGet(); // the node is not keeping up: counted, not queued for ever
            return;
          }
          load.inFlight.incrementAndGet();
          clients.submit(
              () -> {
                try {
                  session(port, load);
                } finally {
                  load.inFlight.decrementAndGet();
                }
              });
        },
        0,
        periodNanos,
        TimeUnit.NANOSECONDS);
    List<String> minutes = new ArrayList<>();
    long previousRequests = 0;
    for (long minute = 1; minute <= soak.toMinutes(); minute++) {
      Thread.sleep(Duration.ofMinutes(1).toMillis());
      long now = load.requests.get();
      minutes.add((now - previousRequests) / 60 + "/s");
      previousRequests = now;
    }
    arrivals.shutdownNow();
    clients.shutdown();
    clients.awaitTermination(60, TimeUnit.SECONDS);
    double soakSeconds = (System.nanoTime() - started) / 1e9;

    Figures after = figures(api);
    Figures workerAfter = figures(worker);
    List<String> liveStates = new ArrayList<>();
    long looked = 0;
    for (String id : rollouts) {
      JsonNode r = stack.rollout(id);
      liveStates.add(r.path("live").path("state").asText());
      looked +=
          r.path("live").path("canaryObservations").asLong()
              + r.path("live").path("stableObservations").asLong();
    }
    long stored =
        stack.queryLong("SELECT count(*) FROM observations WHERE prompt IN ('soak-a', 'soak-b')");

    List<Long> latencies = new ArrayList<>(load.latencyMicros);
    latencies.sort(Long::compare);
    new FaultReport("soak")
        .put("minutes", soak.toMinutes())
        .put("maxMeasuredBy", "closed-loop ramp in this run, " + RAMP_CLIENTS + " clients")
        .put("rampSeconds", rampMillis / 1000)
        .put("maxRequestsPerSecond", Math.round(maxPerSecond))
        .put("targetRequestsPerSecond", Math.round(targetPerSecond))
        .put("achievedRequestsPerSecond", Math.round(load.requests.get() / soakSeconds))
        .put("perMinute", String.join(" ", minutes))
        .put("sessionsSkippedBehind", behind.get())
        .put("requests", load.requests.get())
        .put("resolves", load.resolves.get())
        .put("observationsIngested", load.observations.get())
        .put("observationsAcknowledged", ramp.observations.get() + load.observations.get())
        .put("observationsStored", stored)
        .put("rampErrors", ramp.errors.size())
        .put("errors", load.errors.size())
        .put("firstErrors", String.join(" | ", load.errors.stream().limit(5).toList()))
        .put("p50Millis", percentile(latencies, 0.50) / 1000.0)
        .put("p99Millis", percentile(latencies, 0.99) / 1000.0)
        .put("apiBefore", before.asMap())
        .put("apiAfter", after.asMap())
        .put("workerBefore", workerBefore.asMap())
        .put("workerAfter", workerAfter.asMap())
        .put("rolloutsLive", String.join(",", liveStates))
        .put("observationsTheLooksRead", looked)
        .put("loadAverage", Files.readString(Path.of("/proc/loadavg")).trim())
        .write();

    assertThat(load.errors).as("errors during the soak").isEmpty();
    assertThat(stored)
        .as("observations stored (ramp and soak): every acknowledged one")
        .isGreaterThanOrEqualTo(ramp.observations.get() + load.observations.get());
    assertThat(behind.get()).as("sessions skipped because the node fell behind").isZero();
    assertThat(after.heapUsedBytes)
        .as("API heap after a full GC (before: " + before.heapUsedBytes + ")")
        .isLessThanOrEqualTo(
            Math.max(2 * before.heapUsedBytes, before.heapUsedBytes + HEAP_SLACK_BYTES));
    assertThat(after.descriptors).isLessThanOrEqualTo(before.descriptors + DESCRIPTOR_SLACK);
    assertThat(after.threads).isLessThanOrEqualTo(before.threads + THREAD_SLACK);
    assertThat(liveStates).containsOnly("CANARY");
  }

  /** What the soak counts. */
  private static final class Load {
    final AtomicLong requests = new AtomicLong();
    final AtomicLong resolves = new AtomicLong();
    final AtomicLong observations = new AtomicLong();
    final AtomicInteger inFlight = new AtomicInteger();
    final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<Long> latencyMicros = new ConcurrentLinkedQueue<>();
  }

  /**
   * One unit's session: four resolves of one prompt, then the four observations they made in one
   * batch, each on the version resolved.
   */
  private void session(int port, Load load) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String prompt = PROMPTS.get(random.nextInt(PROMPTS.size()));
    String unit = "u" + random.nextLong(1_000_000_000L);
    StringJoiner batch = new StringJoiner(",", "{\"observations\":[", "]}");
    boolean slowSession = random.nextInt(10) == 0; // a slow session is slow in every request
    for (int i = 0; i < REQUESTS_PER_SESSION - 1; i++) {
      HttpResponse<String> reply =
          timed(
              load,
              () ->
                  send(
                      HttpRequest.newBuilder(
                              URI.create(
                                  "http://127.0.0.1:"
                                      + port
                                      + "/v1/prompts/"
                                      + prompt
                                      + "/resolve?unit="
                                      + unit))
                          .GET()));
      if (reply == null) {
        return;
      }
      load.resolves.incrementAndGet();
      int version;
      try {
        version = JSON.readTree(reply.body()).path("version").asInt();
      } catch (IOException e) {
        load.errors.add("resolve body: " + e);
        return;
      }
      batch.add(
          String.format(
              Locale.ROOT,
              """
              {"requestId":"%s-%d","prompt":"%s","version":%d,"unit":"%s","latencyMs":%d,
               "error":false,"safetyFlag":false}""",
              unit,
              i,
              prompt,
              version,
              unit,
              (slowSession ? 900 : 300) + random.nextInt(200)));
    }
    if (timed(
            load,
            () ->
                send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/v1/observations"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(batch.toString()))))
        != null) {
      load.observations.addAndGet(REQUESTS_PER_SESSION - 1);
    }
  }

  /** One request with the admin key read once (the stack reads its file for every request). */
  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(
        request.header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  interface Request {
    HttpResponse<String> send() throws Exception;
  }

  /** Sends one request; null (and an error noted) unless it is answered 200. */
  private static HttpResponse<String> timed(Load load, Request request) {
    long start = System.nanoTime();
    try {
      HttpResponse<String> reply = request.send();
      load.requests.incrementAndGet();
      load.latencyMicros.add((System.nanoTime() - start) / 1000);
      if (reply.statusCode() != 200) {
        load.errors.add(reply.statusCode() + " " + reply.body());
        return null;
      }
      return reply;
    } catch (Exception e) {
      load.requests.incrementAndGet();
      load.errors.add("no answer: " + e);
      return null;
    }
  }

  private static long percentile(List<Long> sorted, double q) {
    return sorted.isEmpty() ? 0 : sorted.get((int) Math.min(sorted.size() - 1, q * sorted.size()));
  }

  /** A process's heap after a full GC, its open file descriptors and its threads. */
  record Figures(long heapUsedBytes, int descriptors, int threads) {
    Map<String, Object> asMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("heapUsedMB", Math.round(heapUsedBytes / 1048576.0 * 10) / 10.0);
      m.put("openDescriptors", descriptors);
      m.put("threads", threads);
      return m;
    }
  }

  private static final Pattern USED = Pattern.compile("used (\\d+)K");

  private static Figures figures(JarProcess process) throws Exception {
    long pid = process.pid();
    jcmd(pid, "GC.run");
    long heap = 0;
    for (String line : jcmd(pid, "GC.heap_info").split("\n")) {
      if (line.contains("Metaspace") || line.contains("class space")) {
        continue;
      }
      Matcher m = USED.matcher(line);
      if (m.find()) {
        heap += Long.parseLong(m.group(1)) * 1024;
      }
    }
    int descriptors;
    try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      descriptors = (int) fds.count();
    }
    int threads = 0;
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("Threads:")) {
        threads = Integer.parseInt(line.substring("Threads:".length()).trim());
      }
    }
    return new Figures(heap, descriptors, threads);
  }

  private static String jcmd(long pid, String command) throws Exception {
    Process p =
        new ProcessBuilder("jcmd", String.valueOf(pid), command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("jcmd " + command).isTrue();
    assertThat(p.exitValue()).as("jcmd " + command + ": " + out).isZero();
    return out;
  }
}
