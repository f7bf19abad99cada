package dev.promptcanary.bench.scale;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.StringJoiner;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Traffic for many prompts at once, through the API as apps send it: every prompt gets a session
 * every {@code sessionSeconds} (spread over the interval, so the load is even), and a session
 * resolves its version once ({@code GET .../resolve}) and then reports 3 to 6 requests ({@code POST
 * /v1/observations}), correlated within the session (a session's latency level and error propensity
 * are its own). Observations of many sessions go out together in batches of up to 200, as a busy
 * app's reporter sends them.
 */
final class SessionTraffic implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int BATCH = 200;

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final String baseUrl;
  private final String clientKey;
  private final int sessionSeconds;
  private final List<String> prompts = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService senders = Executors.newFixedThreadPool(4);
  private final Random random = new Random(13);
  private final AtomicLong sessions = new AtomicLong();
  private final AtomicLong observations = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong behind = new AtomicLong();
  private long tick;

  SessionTraffic(String baseUrl, String clientKey, int sessionSeconds) {
    this.baseUrl = baseUrl;
    this.clientKey = clientKey;
    this.sessionSeconds = sessionSeconds;
  }

  /** Starts sending, one tick a second. */
  void start() {
    ticker.scheduleAtFixedRate(this::tick, 0, 1, TimeUnit.SECONDS);
  }

  /** A prompt that gets traffic from now on (its rollout has been started). */
  void add(String prompt) {
    prompts.add(prompt);
  }

  /** No more traffic for these prompts. */
  void removeAll(List<String> gone) {
    prompts.removeAll(gone);
  }

  long sessions() {
    return sessions.get();
  }

  long observations() {
    return observations.get();
  }

  long failures() {
    return failures.get();
  }

  /** Ticks that found the previous tick's sessions still being sent (the client fell behind). */
  long ticksBehind() {
    return behind.get();
  }

  private void tick() {
    long k = tick++;
    List<String> due = new ArrayList<>();
    List<String> all = List.copyOf(prompts);
    for (int i = 0; i < all.size(); i++) {
      if ((i + k) % sessionSeconds == 0) {
        due.add(all.get(i));
      }
    }
    if (due.isEmpty()) {
      return;
    }
    int slices = 4;
    List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
    for (int s = 0; s < slices; s++) {
      List<String> slice = new ArrayList<>();
      for (int i = s; i < due.size(); i += slices) {
        slice.add(due.get(i));
      }
      long seed = random.nextLong();
      sent.add(senders.submit(() -> send(slice, k, new Random(seed))));
    }
    for (var f : sent) {
      try {
        f.get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        behind.incrementAndGet();
      }
    }
  }

  private void send(List<String> due, long k, Random r) {
    StringJoiner batch = new StringJoiner(",", "{\"observations\": [", "]}");
    int inBatch = 0;
    for (String prompt : due) {
      String unit = prompt + "-t" + k + "-" + r.nextInt(1_000_000);
      int version;
      try {
        version = resolve(prompt, unit);
      } catch (Exception e) {
        failures.incrementAndGet();
        continue;
      }
      sessions.incrementAndGet();
      int requests = 3 + r.nextInt(4);
      // the session's own level: latency and error propensity shared by its requests
      double latencyLevel = 600 * Math.exp(0.4 * r.nextGaussian());
      double errorRate = r.nextDouble() < 0.1 ? 0.08 : 0.005;
      for (int q = 0; q < requests; q++) {
        batch.add(
            String.format(
                Locale.ROOT,
                "{\"requestId\":\"%s-r%d\",\"prompt\":\"%s\",\"version\":%d,\"unit\":\"%s\","
                    + "\"latencyMs\":%.1f,\"inputTokens\":300,\"outputTokens\":%d,\"cost\":%.6f,"
                    + "\"error\":%b,\"safetyFlag\":false}",
                unit,
                q,
                prompt,
                version,
                unit,
                latencyLevel * Math.exp(0.2 * r.nextGaussian()),
                80 + r.nextInt(40),
                0.0004 + r.nextDouble() * 0.0001,
                r.nextDouble() < errorRate));
        inBatch++;
      }
      if (inBatch >= BATCH) {
        post(batch.toString(), inBatch);
        batch = new StringJoiner(",", "{\"observations\": [", "]}");
        inBatch = 0;
      }
    }
    if (inBatch > 0) {
      post(batch.toString(), inBatch);
    }
  }

  private int resolve(String prompt, String unit) throws Exception {
    HttpResponse<String> reply =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(baseUrl + "/v1/prompts/" + prompt + "/resolve?unit=" + unit))
                .header("Authorization", "Bearer " + clientKey)
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (reply.statusCode() != 200) {
      throw new IllegalStateException("resolve answered " + reply.statusCode());
    }
    return JSON.readTree(reply.body()).path("version").asInt();
  }

  private void post(String body, int count) {
    try {
      HttpResponse<String> reply =
          http.send(
              HttpRequest.newBuilder(URI.create(baseUrl + "/v1/observations"))
                  .header("Authorization", "Bearer " + clientKey)
                  .header("Content-Type", "application/json")
                  .timeout(Duration.ofSeconds(30))
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (reply.statusCode() / 100 == 2) {
        observations.addAndGet(count);
      } else {
        failures.incrementAndGet();
      }
    } catch (Exception e) {
      failures.incrementAndGet();
    }
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    senders.shutdownNow();
  }
}
