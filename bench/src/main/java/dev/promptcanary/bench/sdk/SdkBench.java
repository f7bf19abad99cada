package dev.promptcanary.bench.sdk;

import static dev.promptcanary.bench.Table.fmt;
import static dev.promptcanary.bench.Table.median;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.promptcanary.api.auth.Role;
import dev.promptcanary.bench.Api;
import dev.promptcanary.bench.BenchStore;
import dev.promptcanary.bench.Machine;
import dev.promptcanary.bench.Options;
import dev.promptcanary.bench.Table;
import dev.promptcanary.bench.rollback.DevStack;
import dev.promptcanary.sdk.PromptCanary;
import dev.promptcanary.sdk.Resolved;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Java SDK on the embedded stack as a user runs it (the packaged jar's {@code dev} as a child
 * process): (1) local resolves per second on one thread and the bytes each allocates, against
 * resolve over HTTP ({@code GET /v1/prompts/{name}/resolve}, one keep-alive connection) measured in
 * the same run; (2) rollback to SDK: a rollout at 50% is aborted through the API, and the time is
 * taken until a connected SDK serves the stable version for a unit that was on the canary, from the
 * abort sent and from the routing row's write (its {@code updated_at}, the database's clock on the
 * same machine), against an HTTP resolve polled every 5 ms for the same unit in the same run.
 */
public final class SdkBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static volatile long sink;

  record Rate(double perSecond, double bytesPerCall) {}

  record Rollback(double abortToSdkS, double writeToSdkS, double abortToHttpS) {}

  public static void main(String[] args) throws Exception {
    Options.apply(args);
    int seconds = Integer.getInteger("bench.seconds", 5);
    int rounds = Integer.getInteger("bench.rounds", 3);
    int runs = Integer.getInteger("bench.runs", 20);
    System.out.println(
        "sdk benchmark: "
            + Machine.coresAndJava()
            + "; "
            + rounds
            + " rounds of "
            + seconds
            + " s per resolve path, "
            + runs
            + " rollbacks; load average at start "
            + Machine.load());
    System.out.println("starting the packaged jar's dev command...");
    List<Rate> local = new ArrayList<>();
    List<Rate> http = new ArrayList<>();
    List<Rollback> rollbacks = new ArrayList<>();
    try (DevStack stack = DevStack.start(List.of())) {
      Api admin = new Api(stack.baseUrl(), stack.adminKey());
      String clientKey = stack.key(Role.CLIENT);
      admin.createVersion("bench-sdk", 1);
      admin.createVersion("bench-sdk", 2);
      admin.setCanary("bench-sdk", 1, 2, 2000);
      try (PromptCanary sdk =
          PromptCanary.builder()
              .url(stack.baseUrl())
              .apiKey(clientKey)
              .startTimeout(Duration.ofSeconds(30))
              .build()) {
        waitFor(
            () -> sdk.resolve("bench-sdk", "probe").decision().canaryWeightBp() == 2000, 30_000);
        String[] units = new String[10_000];
        for (int i = 0; i < units.length; i++) {
          units[i] = "session-" + i;
        }
        // Warm-up of both paths (JIT, connection), not counted.
        localRate(sdk, units, 2);
        httpRate(stack.baseUrl(), clientKey, units, 2);
        for (int r = 0; r < rounds; r++) {
          local.add(localRate(sdk, units, seconds));
          http.add(httpRate(stack.baseUrl(), clientKey, units, seconds));
          System.out.printf(
              Locale.ROOT,
              "round %d: local %,.0f/s (%.1f B each), HTTP %,.0f/s%n",
              r + 1,
              local.get(r).perSecond(),
              local.get(r).bytesPerCall(),
              http.get(r).perSecond());
        }
        Random random = new Random(15);
        for (int run = 0; run <= runs; run++) {
          Rollback rollback = rollback(stack, admin, clientKey, sdk, run, random);
          if (run == 0) {
            System.out.println("warm-up rollback (not counted)");
            continue;
          }
          rollbacks.add(rollback);
          System.out.printf(
              Locale.ROOT,
              "rollback %d: abort -> SDK stable %.3f s, write -> SDK %.3f s, abort -> HTTP resolve"
                  + " %.3f s%n",
              run,
              rollback.abortToSdkS(),
              rollback.writeToSdkS(),
              rollback.abortToHttpS());
        }
      }
    }
    report(local, http, rollbacks);
  }

  private static Rate localRate(PromptCanary sdk, String[] units, int seconds) {
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    long calls = 0;
    long bytesBefore = threads.getThreadAllocatedBytes(thread);
    long started = System.nanoTime();
    long acc = 0;
    while (System.nanoTime() < deadline) {
      for (int i = 0; i < 1000; i++) {
        Resolved r = sdk.resolve("bench-sdk", units[(int) (calls++ % units.length)]);
        acc += r.decision().bucket();
      }
    }
    double elapsed = (System.nanoTime() - started) / 1e9;
    long bytes = threads.getThreadAllocatedBytes(thread) - bytesBefore;
    sink += acc;
    return new Rate(calls / elapsed, (double) bytes / calls);
  }

  private static Rate httpRate(String baseUrl, String key, String[] units, int seconds)
      throws Exception {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    long calls = 0;
    long started = System.nanoTime();
    while (System.nanoTime() < deadline) {
      HttpResponse<String> reply =
          HTTP.send(
              HttpRequest.newBuilder(
                      URI.create(
                          baseUrl
                              + "/v1/prompts/bench-sdk/resolve?unit="
                              + units[(int) (calls % units.length)]))
                  .header("Authorization", "Bearer " + key)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (reply.statusCode() != 200) {
        throw new IllegalStateException("resolve answered " + reply.statusCode());
      }
      calls++;
    }
    return new Rate(calls / ((System.nanoTime() - started) / 1e9), Double.NaN);
  }

  private static Rollback rollback(
      DevStack stack, Api admin, String clientKey, PromptCanary sdk, int run, Random random)
      throws Exception {
    String prompt = "bench-sdk-rollback-" + run;
    admin.createVersion(prompt, 1);
    admin.createVersion(prompt, 2);
    String started =
        admin.send(
            "POST",
            "/v1/rollouts",
            "{\"prompt\": \"%s\", \"candidateVersion\": 2, \"stages\": [{\"weightBp\": 5000,"
                    .formatted(prompt)
                + " \"maxBakeSeconds\": 3600}]}");
    String id = JSON.readTree(started).path("id").asText();
    waitFor(
        () -> knows(sdk, prompt) && id.equals(sdk.resolve(prompt, "x").decision().rolloutId()),
        60_000);
    String unit = null;
    for (int i = 0; unit == null; i++) {
      if (sdk.resolve(prompt, "u-" + i).decision().version() == 2) {
        unit = "u-" + i;
      }
    }
    String canaryUnit = unit;
    Thread.sleep(random.nextInt(1000)); // not in step with the long-poll's renewals
    AtomicLong httpStable = new AtomicLong();
    Thread poller =
        new Thread(
            () -> {
              try {
                while (httpStable.get() == 0) {
                  HttpResponse<String> reply =
                      HTTP.send(
                          HttpRequest.newBuilder(
                                  URI.create(
                                      stack.baseUrl()
                                          + "/v1/prompts/"
                                          + prompt
                                          + "/resolve?unit="
                                          + canaryUnit))
                              .header("Authorization", "Bearer " + clientKey)
                              .build(),
                          HttpResponse.BodyHandlers.ofString());
                  if (JSON.readTree(reply.body()).path("version").asInt() == 1) {
                    httpStable.set(System.nanoTime());
                  } else {
                    Thread.sleep(5);
                  }
                }
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            "http-resolve-poller");
    poller.start();
    long abortSent = System.nanoTime();
    admin.send("POST", "/v1/rollouts/" + id + "/abort", "{\"reason\": \"bench rollback\"}");
    long sdkStable;
    long sdkStableWallMillis;
    while (true) {
      if (sdk.resolve(prompt, canaryUnit).decision().version() == 1) {
        sdkStable = System.nanoTime();
        sdkStableWallMillis = System.currentTimeMillis();
        break;
      }
      // Checked every 1 ms, not spun: on a loaded 2-core machine a spinning thread takes the CPU
      // from the SDK's own routing thread and the server, and delays what it measures.
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
      if (System.nanoTime() - abortSent > 60_000_000_000L) {
        throw new IllegalStateException("the SDK did not serve the stable version within 60 s");
      }
    }
    poller.join(60_000);
    double writeToSdk = (sdkStableWallMillis - routingWrittenAtMillis(stack, prompt)) / 1000.0;
    return new Rollback(
        (sdkStable - abortSent) / 1e9, writeToSdk, (httpStable.get() - abortSent) / 1e9);
  }

  private static boolean knows(PromptCanary sdk, String prompt) {
    try {
      sdk.resolve(prompt, "x");
      return true;
    } catch (RuntimeException notYet) {
      return false;
    }
  }

  private static long routingWrittenAtMillis(DevStack stack, String prompt) throws Exception {
    try (Connection c = BenchStore.connect(stack.jdbcUrl());
        PreparedStatement s =
            c.prepareStatement(
                "SELECT (extract(epoch FROM updated_at) * 1000)::bigint FROM routing WHERE prompt = ?")) {
      s.setString(1, prompt);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static void waitFor(java.util.function.BooleanSupplier condition, long millis)
      throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000;
    while (!safely(condition)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after " + millis + " ms");
      }
      Thread.sleep(10);
    }
  }

  private static boolean safely(java.util.function.BooleanSupplier condition) {
    try {
      return condition.getAsBoolean();
    } catch (RuntimeException notYet) {
      return false;
    }
  }

  private static double percentile(List<Double> values, double p) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1));
  }

  private static void report(List<Rate> local, List<Rate> http, List<Rollback> rollbacks) {
    double localRate = median(local.stream().map(Rate::perSecond).toList());
    double bytes = median(local.stream().map(Rate::bytesPerCall).toList());
    double httpRate = median(http.stream().map(Rate::perSecond).toList());
    List<Double> sdk = rollbacks.stream().map(Rollback::abortToSdkS).toList();
    List<Double> write = rollbacks.stream().map(Rollback::writeToSdkS).toList();
    List<Double> viaHttp = rollbacks.stream().map(Rollback::abortToHttpS).toList();
    System.out.println();
    System.out.print(
        new Table("measure", "SDK", "baseline", "ratio", "baseline is")
            .row(
                "resolves/s, one thread (median of rounds)",
                fmt(localRate, 0),
                fmt(httpRate, 0),
                fmt(localRate / httpRate, 0) + "x",
                "GET .../resolve over HTTP, one connection")
            .row(
                "ns per resolve",
                fmt(1e9 / localRate, 0),
                fmt(1e9 / httpRate, 0),
                fmt(localRate / httpRate, 0) + "x less",
                "same")
            .row("bytes allocated per resolve", fmt(bytes, 1), "", "", "")
            .row(
                "rollback: abort sent -> serving stable, median s",
                fmt(median(sdk), 3),
                fmt(median(viaHttp), 3),
                fmt(median(sdk) / median(viaHttp), 2),
                "HTTP resolve polled every 5 ms")
            .row(
                "rollback: abort sent -> serving stable, p90 s",
                fmt(percentile(sdk, 0.9), 3),
                fmt(percentile(viaHttp, 0.9), 3),
                fmt(percentile(sdk, 0.9) / percentile(viaHttp, 0.9), 2),
                "same")
            .row(
                "rollback: abort sent -> serving stable, max s",
                fmt(percentile(sdk, 1.0), 3),
                fmt(percentile(viaHttp, 1.0), 3),
                "",
                "")
            .row(
                "routing row written -> SDK serving stable, median s",
                fmt(median(write), 3),
                "",
                "",
                "updated_at (database clock, same machine)")
            .render());
    // The target (issue 15) counts from the rollback's routing write; the abort's own path through
    // Temporal to that write is shown beside it, not hidden.
    System.out.println(
        "target: routing write -> SDK serving stable, median under 1 s: "
            + (median(write) < 1.0 ? "met" : "MISSED")
            + " ("
            + fmt(median(write), 3)
            + " s); from the abort sent: "
            + fmt(median(sdk), 3)
            + " s");
    System.out.printf(
        Locale.ROOT,
        "{\"local_resolves_per_s\": %.0f, \"http_resolves_per_s\": %.0f, \"ratio\": %.1f,"
            + " \"bytes_per_resolve\": %.1f, \"rollback_to_sdk_median_s\": %.3f,"
            + " \"rollback_to_sdk_p90_s\": %.3f, \"rollback_to_sdk_max_s\": %.3f,"
            + " \"write_to_sdk_median_s\": %.3f, \"rollback_to_http_resolve_median_s\": %.3f,"
            + " \"runs\": %d, \"target_met\": %b}%n",
        localRate,
        httpRate,
        localRate / httpRate,
        bytes,
        median(sdk),
        percentile(sdk, 0.9),
        percentile(sdk, 1.0),
        median(write),
        median(viaHttp),
        rollbacks.size(),
        median(write) < 1.0);
  }
}
