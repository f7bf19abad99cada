package dev.promptcanary.bench.resolve;

import static dev.promptcanary.bench.Table.fmt;
import static dev.promptcanary.bench.Table.median;

import dev.promptcanary.activities.routing.Route;
import dev.promptcanary.activities.routing.RoutingState;
import dev.promptcanary.bench.Api;
import dev.promptcanary.bench.ApiServer;
import dev.promptcanary.bench.Machine;
import dev.promptcanary.bench.Options;
import dev.promptcanary.bench.Table;
import dev.promptcanary.serving.FewShotExample;
import dev.promptcanary.serving.PromptContent;
import dev.promptcanary.serving.PromptVersion;
import dev.promptcanary.serving.Resolution;
import dev.promptcanary.testkit.EmbeddedPostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The serving path. Over HTTP: {@code GET /v1/prompts/{name}/resolve} against {@code GET /v1/ping}
 * of the same server in the same run, both driven by wrk with the same script, threads, connections
 * and duration, alternated round by round so drift hits both alike. In process: {@link
 * Route#resolve} decisions per second over many distinct units on a route with a live canary.
 */
public final class ResolveBench {
  private static final String PROMPT = "bench-resolve";
  private static final int CANARY_BP = 500;

  // Sized for a 2-core machine: one wrk thread leaves the other core to the server. Set in main
  // from the options.
  private static int WRK_THREADS;
  private static int WRK_CONNECTIONS;
  private static int WARMUP_SECONDS;
  private static int ROUND_SECONDS;
  private static int ROUNDS;
  private static final int UNITS = 1 << 20;

  record WrkResult(
      double rps, double p50Ms, double p99Ms, double maxMs, long requests, long errors) {}

  public static void main(String[] args) throws Exception {
    Options.apply(args);
    WRK_THREADS = Integer.getInteger("bench.wrk.threads", 1);
    WRK_CONNECTIONS = Integer.getInteger("bench.wrk.connections", 16);
    WARMUP_SECONDS = Integer.getInteger("bench.warmup.seconds", 8);
    ROUND_SECONDS = Integer.getInteger("bench.round.seconds", 8);
    ROUNDS = Integer.getInteger("bench.rounds", 5);
    requireWrk();
    System.out.println(
        "resolve benchmark: "
            + Machine.coresAndJava()
            + "; wrk -t"
            + WRK_THREADS
            + " -c"
            + WRK_CONNECTIONS
            + " -d"
            + ROUND_SECONDS
            + "s x "
            + ROUNDS
            + " rounds per endpoint; load average at start "
            + Machine.load());

    // In process first, while nothing else runs on the machine.
    InProcess inProcess = inProcess();

    try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.startTemporary()) {
      String url = postgres.jdbcUrl("promptcanary");
      try (ApiServer server = ApiServer.start(url, postgres.user(), List.of())) {
        Api api = new Api(server.baseUrl(), server.adminKey());
        api.createVersion(PROMPT, 1);
        api.createVersion(PROMPT, 2);
        api.setCanary(PROMPT, 1, 2, CANARY_BP);
        String sample =
            api.send("GET", "/v1/prompts/" + PROMPT + "/resolve?unit=sample-unit", null);
        System.out.println(
            "resolve answers " + sample.length() + " bytes, e.g. " + abbreviate(sample));
        System.out.println("ping answers " + api.send("GET", "/v1/ping", null));

        Path script = wrkScript();
        String ping = "/v1/ping?unit=";
        String resolve = "/v1/prompts/" + PROMPT + "/resolve?unit=";
        System.out.println("warming up (" + WARMUP_SECONDS + " s per endpoint)...");
        wrk(server, script, ping, WARMUP_SECONDS);
        wrk(server, script, resolve, WARMUP_SECONDS);

        List<WrkResult> pings = new ArrayList<>();
        List<WrkResult> resolves = new ArrayList<>();
        for (int round = 1; round <= ROUNDS; round++) {
          // Back to back, in alternating order, so a busy neighbour hits both endpoints alike.
          if (round % 2 == 1) {
            pings.add(check(wrk(server, script, ping, ROUND_SECONDS), "ping"));
            resolves.add(check(wrk(server, script, resolve, ROUND_SECONDS), "resolve"));
          } else {
            resolves.add(check(wrk(server, script, resolve, ROUND_SECONDS), "resolve"));
            pings.add(check(wrk(server, script, ping, ROUND_SECONDS), "ping"));
          }
          WrkResult p = pings.get(round - 1);
          WrkResult r = resolves.get(round - 1);
          System.out.printf(
              "round %d: ping %s req/s (p99 %s ms), resolve %s req/s (p99 %s ms), ratio %s%n",
              round,
              fmt(p.rps(), 0),
              fmt(p.p99Ms(), 2),
              fmt(r.rps(), 0),
              fmt(r.p99Ms(), 2),
              fmt(r.rps() / p.rps(), 3));
        }
        report(pings, resolves, inProcess);
      }
    }
  }

  // ---- in process ----

  record InProcess(double oneThread, double allCores, int threads) {}

  private static InProcess inProcess() throws Exception {
    Route route = benchRoute();
    String[] units = new String[UNITS];
    for (int i = 0; i < UNITS; i++) {
      units[i] = UUID.randomUUID().toString();
    }
    // Sanity: the split is what the route says.
    long canary = 0;
    for (String unit : units) {
      if (route.resolve(unit, null).version() == 2) {
        canary++;
      }
    }
    System.out.printf(
        "in process: %d distinct units (UUIDs), %.2f%% in the canary at %d bp%n",
        UNITS, 100.0 * canary / UNITS, CANARY_BP);

    System.out.println("warming up in process...");
    decisionsPerSecond(route, units, 1, 3_000);
    decisionsPerSecond(route, units, 1, 3_000);
    List<Double> one = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      one.add(decisionsPerSecond(route, units, 1, 1_000));
    }
    int threads = Runtime.getRuntime().availableProcessors();
    List<Double> all = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      all.add(decisionsPerSecond(route, units, threads, 1_000));
    }
    return new InProcess(median(one), median(all), threads);
  }

  static Route benchRoute() {
    PromptVersion v1 = version(1);
    PromptVersion v2 = version(2);
    RoutingState state =
        new RoutingState(PROMPT, 1, 2, CANARY_BP, "rollout-bench", 7, Instant.now());
    return new Route(state, v1, v2);
  }

  private static PromptVersion version(int n) {
    PromptContent content =
        new PromptContent(
            "You are support agent number " + n + ".",
            List.of(new FewShotExample("Where is my order?", "Let me look that up for you.")),
            "Customer asks: {{question}}",
            "sim-model",
            Map.of("temperature", 0.2));
    return new PromptVersion(
        PROMPT, n, "hash-" + n, content, content.variables(), "bench", Instant.now());
  }

  private static volatile long sink;

  /**
   * Decisions per second over {@code millis}, summed over {@code threads} threads each walking the
   * units.
   */
  private static double decisionsPerSecond(Route route, String[] units, int threads, long millis)
      throws InterruptedException {
    long[] counts = new long[threads];
    Thread[] workers = new Thread[threads];
    long start = System.nanoTime();
    long end = start + TimeUnit.MILLISECONDS.toNanos(millis);
    for (int t = 0; t < threads; t++) {
      int id = t;
      workers[t] =
          new Thread(
              () -> {
                int mask = units.length - 1;
                int i = id * (units.length / threads);
                long n = 0;
                long acc = 0;
                while (true) {
                  for (int k = 0; k < 4096; k++) {
                    Resolution r = route.resolve(units[(i++) & mask], null);
                    acc += r.bucket() + r.version();
                  }
                  n += 4096;
                  if (System.nanoTime() >= end) {
                    break;
                  }
                }
                counts[id] = n;
                sink += acc;
              });
      workers[t].start();
    }
    for (Thread worker : workers) {
      worker.join();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    return total / seconds;
  }

  // ---- over HTTP ----

  private static void requireWrk() throws Exception {
    try {
      new ProcessBuilder("wrk", "--version")
          .redirectErrorStream(true)
          .start()
          .waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new IllegalStateException("wrk is not installed (Debian: apt-get install -y wrk)", e);
    }
  }

  /**
   * One script for both endpoints: every request carries a fresh unit (so resolve sees many
   * distinct units and ping does the same client-side work), and done() prints one parseable line.
   */
  private static Path wrkScript() throws IOException {
    Path script = Files.createTempFile("promptcanary-bench-", ".lua");
    script.toFile().deleteOnExit();
    Files.writeString(
        script,
"""
local prefix = "/v1/ping?unit="
local counter = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tag", "t" .. threads .. "-")
end
function init(args)
  if args[1] then prefix = args[1] end
  tag = tag or ""
end
function request()
  counter = counter + 1
  return wrk.format("GET", prefix .. "session-" .. tag .. counter)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK_RESULT requests=%.0f duration_us=%.0f p50_us=%.0f p99_us=%.0f max_us=%.0f errors=%.0f status_errors=%.0f\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.connect + e.read + e.write + e.timeout, e.status))
end
""");
    return script;
  }

  private static final Pattern RESULT =
      Pattern.compile(
          "WRK_RESULT requests=(\\d+) duration_us=(\\d+) p50_us=(\\d+) p99_us=(\\d+) max_us=(\\d+)"
              + " errors=(\\d+) status_errors=(\\d+)");

  private static WrkResult wrk(ApiServer server, Path script, String pathPrefix, int seconds)
      throws Exception {
    List<String> command =
        List.of(
            "wrk",
            "-t" + WRK_THREADS,
            "-c" + WRK_CONNECTIONS,
            "-d" + seconds + "s",
            "--timeout",
            "5s",
            "-s",
            script.toString(),
            // ping ignores the key, resolve checks it: the ratio includes authentication.
            "-H",
            "Authorization: Bearer " + server.adminKey(),
            server.baseUrl(),
            "--",
            pathPrefix);
    Process wrk = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(wrk.getInputStream().readAllBytes());
    if (!wrk.waitFor(seconds + 30L, TimeUnit.SECONDS)) {
      wrk.destroyForcibly();
      throw new IllegalStateException("wrk did not finish: " + output);
    }
    Matcher m = RESULT.matcher(output);
    if (!m.find()) {
      throw new IllegalStateException("wrk printed no result: " + output);
    }
    long requests = Long.parseLong(m.group(1));
    double seconds2 = Long.parseLong(m.group(2)) / 1e6;
    return new WrkResult(
        requests / seconds2,
        Long.parseLong(m.group(3)) / 1e3,
        Long.parseLong(m.group(4)) / 1e3,
        Long.parseLong(m.group(5)) / 1e3,
        requests,
        Long.parseLong(m.group(6)) + Long.parseLong(m.group(7)));
  }

  private static WrkResult check(WrkResult result, String what) {
    if (result.errors() > 0) {
      throw new IllegalStateException(
          what + ": " + result.errors() + " failed requests of " + result.requests());
    }
    return result;
  }

  private static void report(List<WrkResult> pings, List<WrkResult> resolves, InProcess inProcess) {
    double ceiling = median(pings.stream().map(WrkResult::rps).toList());
    double rps = median(resolves.stream().map(WrkResult::rps).toList());
    // The ratio of each round's two back-to-back runs, then the median over rounds.
    List<Double> ratios = new ArrayList<>();
    for (int i = 0; i < resolves.size(); i++) {
      ratios.add(resolves.get(i).rps() / pings.get(i).rps());
    }
    double ratio = median(ratios);
    // p99: the median over rounds (each round's p99 is over some 100,000 requests), and the worst
    // round beside it.
    double p99 = median(resolves.stream().map(WrkResult::p99Ms).toList());
    double pingP99 = median(pings.stream().map(WrkResult::p99Ms).toList());
    double worstP99 = resolves.stream().mapToDouble(WrkResult::p99Ms).max().orElseThrow();
    double worstPingP99 = pings.stream().mapToDouble(WrkResult::p99Ms).max().orElseThrow();
    double p50 = median(resolves.stream().map(WrkResult::p50Ms).toList());
    double pingP50 = median(pings.stream().map(WrkResult::p50Ms).toList());

    System.out.println();
    System.out.print(
        new Table("measure", "value", "baseline (same run)", "ratio", "target", "met")
            .row(
                "HTTP resolve, req/s (median of " + ROUNDS + " rounds)",
                fmt(rps, 0),
                fmt(ceiling, 0) + " (GET /v1/ping)",
                fmt(ratio, 3),
                ">= 0.70",
                ratio >= 0.7 ? "yes" : "NO")
            .row(
                "HTTP resolve p99, ms (median of rounds)",
                fmt(p99, 2),
                fmt(pingP99, 2) + " (ping p99)",
                "",
                "< 5",
                p99 < 5 ? "yes" : "NO")
            .row(
                "HTTP resolve p99, ms (worst round)",
                fmt(worstP99, 2),
                fmt(worstPingP99, 2) + " (ping p99)",
                "",
                "",
                "")
            .row(
                "HTTP resolve p50, ms (median)",
                fmt(p50, 2),
                fmt(pingP50, 2) + " (ping p50)",
                "",
                "",
                "")
            .row(
                "in-process decisions/s, 1 thread",
                fmt(inProcess.oneThread(), 0),
                "",
                "",
                ">= 5,000,000",
                inProcess.oneThread() >= 5e6 ? "yes" : "NO")
            .row(
                "in-process decisions/s, " + inProcess.threads() + " threads",
                fmt(inProcess.allCores(), 0),
                "",
                "",
                "",
                "")
            .render());
    System.out.println("load average at the end (1, 5, 15 min): " + Machine.load());
    System.out.printf(
        java.util.Locale.ROOT,
        "{\"http_rps\":%.0f,\"ceiling_rps\":%.0f,\"ratio\":%.3f,\"p99_ms\":%.2f,\"inprocess_per_s\":%.0f}%n",
        rps,
        ceiling,
        ratio,
        p99,
        inProcess.oneThread());
  }

  private static String abbreviate(String s) {
    return s.length() <= 160 ? s : s.substring(0, 157) + "...";
  }
}
