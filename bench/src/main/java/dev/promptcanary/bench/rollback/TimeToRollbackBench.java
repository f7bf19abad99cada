package dev.promptcanary.bench.rollback;

import static dev.promptcanary.bench.Table.fmt;
import static dev.promptcanary.bench.Table.median;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.promptcanary.bench.BenchStore;
import dev.promptcanary.bench.Machine;
import dev.promptcanary.bench.Options;
import dev.promptcanary.bench.Table;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decision latency of a rollback on the embedded stack as deployed: from the moment the batch of
 * judge scores that makes the quality gate decide is sent to {@code POST /v1/judgements}, to the
 * moment {@code GET .../resolve} for a unit that was in the canary serves the stable version again.
 * The path in between is the real one, in the packaged jar's {@code dev} process: ingest, the
 * notifier's {@code dataArrived} signal, the workflow, the analysis activity on PostgreSQL, the
 * fenced routing write, LISTEN/NOTIFY, the in-memory routing table, resolve.
 *
 * <p>Each run has its own prompt and rollout (one stage at 50%, min bake 0, a completeness target
 * it cannot reach, and a check interval of 600 s, so the periodic look can never be what decides).
 * Both arms first get traffic of the same quality, the rollout is seen to have looked at it without
 * a regression, and light traffic of that quality keeps flowing in the background (so the
 * once-a-second debounce of the notifier is in play, as in production). After a random pause of up
 * to a second the deciding batch goes in. Without push, the same rollback waits for the next
 * periodic look; that is measured too, in a few runs with a short check interval and the deciding
 * scores written straight into PostgreSQL, where the API cannot nudge the rollout.
 */
public final class TimeToRollbackBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String JUDGE = "bench-judge";

  private static int RUNS;
  private static int NO_PUSH_RUNS;
  private static int NO_PUSH_INTERVAL_SECONDS;
  private static int CHECK_INTERVAL_SECONDS;
  private static int SESSIONS;
  private static int BACKGROUND_MS;
  private static int POLL_MS;
  private static long RUN_TIMEOUT_MS;
  private static long MAX_TOTAL_MS;
  private static long SEED;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final DevStack stack;
  private final Random random;

  record Run(
      int number,
      boolean push,
      int canaryUnits,
      int stableUnits,
      int decidingScores,
      double ingestMs,
      double fromSentS,
      double fromReturnedS,
      double sentToVerdictS,
      String state,
      String reason) {}

  private TimeToRollbackBench(DevStack stack, long seed) {
    this.stack = stack;
    this.random = new Random(seed);
  }

  public static void main(String[] args) throws Exception {
    preload();
    Options.apply(normalise(args));
    RUNS = bounded("runs", 20, 1, 200);
    NO_PUSH_RUNS = bounded("nopush.runs", 3, 0, 20);
    NO_PUSH_INTERVAL_SECONDS = bounded("nopush.interval", 5, 1, 60);
    CHECK_INTERVAL_SECONDS = bounded("check.interval", 600, 60, 86_400);
    SESSIONS = bounded("sessions", 400, 100, 4000);
    BACKGROUND_MS = bounded("background.ms", 200, 0, 5000);
    POLL_MS = bounded("poll.ms", 5, 1, 100);
    RUN_TIMEOUT_MS = bounded("run.timeout.seconds", 30, 5, 600) * 1000L;
    MAX_TOTAL_MS = bounded("max.minutes", 20, 1, 120) * 60_000L;
    SEED = Long.getLong("bench.seed", 20240601L);
    long started = System.nanoTime();
    System.out.println(
        "time-to-rollback benchmark: "
            + Machine.coresAndJava()
            + "; "
            + RUNS
            + " runs with push (check interval "
            + CHECK_INTERVAL_SECONDS
            + " s), "
            + NO_PUSH_RUNS
            + " without (check interval "
            + NO_PUSH_INTERVAL_SECONDS
            + " s); "
            + SESSIONS
            + " sessions of baseline traffic per run, background traffic every "
            + BACKGROUND_MS
            + " ms, resolve polled every "
            + POLL_MS
            + " ms; load average at start "
            + Machine.load());
    System.out.println(
        "starting the packaged jar's dev command (API, worker, embedded Temporal and PostgreSQL)...");
    List<Run> runs = new ArrayList<>();
    List<Run> noPush = new ArrayList<>();
    try (DevStack stack = DevStack.start(List.of())) {
      System.out.println(
          "dev is up at "
              + stack.baseUrl()
              + " after "
              + fmt((System.nanoTime() - started) / 1e9, 1)
              + " s");
      TimeToRollbackBench bench = new TimeToRollbackBench(stack, SEED);
      // One unmeasured run first: the JIT, the pools and Temporal's caches warm up as on a server
      // that has run a while.
      System.out.println("warm-up run (not counted)...");
      bench.run(0, true, CHECK_INTERVAL_SECONDS);
      for (int i = 1; i <= RUNS; i++) {
        if (System.nanoTime() - started > TimeUnit.MILLISECONDS.toNanos(MAX_TOTAL_MS)) {
          System.out.println(
              "stopping after " + (i - 1) + " runs: the time budget (--max.minutes) is spent");
          break;
        }
        Run run = bench.run(i, true, CHECK_INTERVAL_SECONDS);
        runs.add(run);
        print(run);
      }
      for (int i = 1; i <= NO_PUSH_RUNS; i++) {
        if (System.nanoTime() - started > TimeUnit.MILLISECONDS.toNanos(MAX_TOTAL_MS)) {
          break;
        }
        Run run = bench.run(RUNS + i, false, NO_PUSH_INTERVAL_SECONDS);
        noPush.add(run);
        print(run);
      }
    }
    report(runs, noPush, (System.nanoTime() - started) / 1e9);
  }

  /**
   * Loads every class of this benchmark now: it runs for minutes from bench/target/classes, and a
   * build of the bench module in the same tree meanwhile (another benchmark's run script) empties
   * that directory; a class first needed after that would not be found.
   */
  private static void preload() throws ClassNotFoundException {
    String pkg = TimeToRollbackBench.class.getPackageName();
    for (String name :
        List.of(
            pkg + ".TimeToRollbackBench$Background",
            pkg + ".TimeToRollbackBench$Run",
            pkg + ".DevStack",
            pkg + ".DevStack$1",
            Table.class.getName(),
            Machine.class.getName(),
            dev.promptcanary.bench.ApiServer.class.getName())) {
      Class.forName(name, false, TimeToRollbackBench.class.getClassLoader());
    }
  }

  /** Accepts {@code --runs 5} as well as {@code --runs=5}. */
  private static String[] normalise(String[] args) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.startsWith("--")
          && !arg.contains("=")
          && i + 1 < args.length
          && !args[i + 1].startsWith("--")) {
        out.add(arg + "=" + args[++i]);
      } else {
        out.add(arg);
      }
    }
    return out.toArray(String[]::new);
  }

  private static int bounded(String name, int fallback, int min, int max) {
    int value = Integer.getInteger("bench." + name, fallback);
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          "--" + name + " must be within " + min + ".." + max + ", got " + value);
    }
    return value;
  }

  // ---- one run
  // ------------------------------------------------------------------------------------------

  private Run run(int number, boolean push, int checkIntervalSeconds) throws Exception {
    String prompt = "ttr-" + number;
    post("/v1/prompts/" + prompt + "/versions", version(1));
    post("/v1/prompts/" + prompt + "/versions", version(2));
    JsonNode started =
        post(
            "/v1/rollouts",
            """
        {"prompt": "%s", "candidateVersion": 2, "startedBy": "bench", "checkIntervalSeconds": %d,
         "stages": [{"weightBp": 5000, "minJudgements": 1000000, "minBakeSeconds": 0, "maxBakeSeconds": 86400}]}
        """
                .formatted(prompt, checkIntervalSeconds));
    String id = started.get("id").asText();
    awaitRollout(
        id,
        r -> "CANARY".equals(r.path("state").asText()) && r.hasNonNull("live"),
        "to reach CANARY");

    // Traffic of the same quality in both arms. Every canary request is observed, but only half of
    // them are judged
    // now: the other half's scores, worse ones, are the deciding batch.
    List<String> canaryRequests = new ArrayList<>();
    List<String> held = new ArrayList<>();
    String canaryUnit = null;
    int stableUnits = 0;
    StringJoiner observations = batch("observations");
    StringJoiner judgements = batch("judgements");
    long judgedCanary = 0;
    long judgedStable = 0;
    for (int i = 0; i < SESSIONS; i++) {
      String unit = prompt + "-session-" + i;
      int version = resolve(prompt, unit);
      String requestId = unit + "-r1";
      observations.add(observation(prompt, version, unit, requestId, random));
      if (version == 2) {
        canaryUnit = canaryUnit == null ? unit : canaryUnit;
        canaryRequests.add(requestId);
        if (canaryRequests.size() % 2 == 0) {
          held.add(requestId);
          continue;
        }
        judgedCanary++;
      } else {
        stableUnits++;
        judgedStable++;
      }
      judgements.add(judgement(prompt, version, requestId, score(0.8)));
    }
    if (canaryUnit == null || held.size() < 30) {
      throw new IllegalStateException(
          "the canary got too few of " + SESSIONS + " sessions: " + canaryRequests.size());
    }
    post("/v1/observations", observations + "]}");
    post("/v1/judgements", judgements + "]}");

    Background background =
        push && BACKGROUND_MS > 0 ? Background.start(this, prompt, BACKGROUND_MS) : null;
    try {
      // The rollout has looked at the data above (the periodic look is minutes away without push,
      // so only a nudge
      // can have made it look) and did not decide.
      long needCanary = judgedCanary;
      long needStable = judgedStable;
      JsonNode seen =
          awaitRollout(
              id,
              r ->
                  !"CANARY".equals(r.path("state").asText())
                      || r.path("live").path("canaryJudgements").asLong() >= needCanary
                          && r.path("live").path("stableJudgements").asLong() >= needStable,
              "to look at the baseline traffic");
      if (!"CANARY".equals(seen.path("state").asText())) {
        throw new IllegalStateException(
            "run "
                + number
                + ": the rollout decided before the deciding batch: "
                + seen.path("state").asText()
                + " ("
                + seen.path("reason").asText()
                + ")");
      }
      String verdictBefore =
          seen.path("live").path("lastVerdicts").path(0).path("decision").asText();

      // A random phase: with push, against the notifier's once-a-second debounce and the looks the
      // background
      // traffic causes; without, against the periodic look (the deciding data arrives at a random
      // point of its wait).
      Thread.sleep(random.nextInt(push ? 1000 : checkIntervalSeconds * 1000));

      StringJoiner deciding = batch("judgements");
      for (String requestId : held) {
        deciding.add(judgement(prompt, 2, requestId, score(0.3)));
      }
      String body = deciding + "]}";
      long sentWall = System.currentTimeMillis();
      long sent = System.nanoTime();
      if (push) {
        post("/v1/judgements", body);
      } else {
        insertDirectly(prompt, held);
      }
      long returned = System.nanoTime();

      long stable = awaitStable(prompt, canaryUnit, sent);
      JsonNode after =
          awaitRollout(id, r -> !"CANARY".equals(r.path("state").asText()), "to record its ending");
      long verdictAt = 0;
      for (JsonNode entry : after.path("checkpoint").path("timeline")) {
        if ("verdict REGRESSION".equals(entry.path("event").asText()) && verdictAt == 0) {
          verdictAt = entry.path("atMillis").asLong();
        }
      }
      if (number == 0) {
        System.out.println(
            "warm-up: "
                + after.path("state").asText()
                + " after "
                + fmt((stable - sent) / 1e9, 3)
                + " s (verdict before the deciding batch: "
                + verdictBefore
                + ")");
      }
      return new Run(
          number,
          push,
          canaryRequests.size(),
          stableUnits,
          held.size(),
          (returned - sent) / 1e6,
          (stable - sent) / 1e9,
          (stable - returned) / 1e9,
          verdictAt == 0 ? Double.NaN : (verdictAt - sentWall) / 1e3,
          after.path("state").asText(),
          after.path("reason").asText());
    } finally {
      if (background != null) {
        background.stop();
      }
    }
  }

  /**
   * Polls resolve for a unit of the canary until it is served the stable version; the nanoTime of
   * that answer.
   */
  private long awaitStable(String prompt, String unit, long sent) throws Exception {
    long deadline = sent + TimeUnit.MILLISECONDS.toNanos(RUN_TIMEOUT_MS);
    while (System.nanoTime() < deadline) {
      int version = resolve(prompt, unit);
      long answered = System.nanoTime();
      if (version == 1) {
        return answered;
      }
      Thread.sleep(POLL_MS);
    }
    throw new IllegalStateException(
        "unit "
            + unit
            + " of "
            + prompt
            + " still served the canary "
            + RUN_TIMEOUT_MS / 1000
            + " s after the deciding batch; the dev log ends with:\n"
            + stack.tail());
  }

  /**
   * The deciding scores written into PostgreSQL as the ingest path writes them, but without its
   * nudge.
   */
  private void insertDirectly(String prompt, List<String> requests) throws Exception {
    try (Connection c = BenchStore.connect(stack.jdbcUrl());
        PreparedStatement s =
            c.prepareStatement(
                "INSERT INTO judgements (request_id, judge, prompt, version, score, judged_at) VALUES (?, ?, ?, 2, ?, ?)")) {
      Timestamp now = new Timestamp(System.currentTimeMillis());
      for (String requestId : requests) {
        s.setString(1, requestId);
        s.setString(2, JUDGE);
        s.setString(3, prompt);
        s.setDouble(4, score(0.3));
        s.setTimestamp(5, now);
        s.addBatch();
      }
      s.executeBatch();
    }
  }

  private JsonNode awaitRollout(
      String id, java.util.function.Predicate<JsonNode> condition, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RUN_TIMEOUT_MS);
    JsonNode rollout = null;
    while (System.nanoTime() < deadline) {
      rollout = get("/v1/rollouts/" + id);
      if (condition.test(rollout)) {
        return rollout;
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException(
        "rollout "
            + id
            + " did not manage "
            + what
            + " within "
            + RUN_TIMEOUT_MS / 1000
            + " s: "
            + rollout
            + "\nthe dev log ends with:\n"
            + stack.tail());
  }

  // ---- traffic
  // ------------------------------------------------------------------------------------------

  /**
   * Light traffic of baseline quality in both arms while a run waits and decides, as production
   * has.
   */
  private static final class Background implements Runnable {
    private final TimeToRollbackBench bench;
    private final String prompt;
    private final int periodMs;
    private final Random random;
    private final Thread thread;
    private final AtomicLong sequence = new AtomicLong();
    private volatile boolean running = true;
    private volatile Exception failure;

    private Background(TimeToRollbackBench bench, String prompt, int periodMs) {
      this.bench = bench;
      this.prompt = prompt;
      this.periodMs = periodMs;
      this.random = new Random(prompt.hashCode());
      this.thread = new Thread(this, "bench-background-traffic");
      this.thread.setDaemon(true);
    }

    static Background start(TimeToRollbackBench bench, String prompt, int periodMs) {
      Background b = new Background(bench, prompt, periodMs);
      b.thread.start();
      return b;
    }

    @Override
    public void run() {
      try {
        while (running) {
          StringJoiner observations = batch("observations");
          StringJoiner judgements = batch("judgements");
          for (int i = 0; i < 10; i++) {
            String unit = prompt + "-bg-" + sequence.incrementAndGet();
            int version = bench.resolve(prompt, unit);
            String requestId = unit + "-r1";
            observations.add(observation(prompt, version, unit, requestId, random));
            judgements.add(
                judgement(prompt, version, requestId, clamp(0.8 + random.nextGaussian() * 0.1)));
          }
          bench.post("/v1/observations", observations + "]}");
          bench.post("/v1/judgements", judgements + "]}");
          Thread.sleep(periodMs);
        }
      } catch (InterruptedException stopped) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        failure = e;
      }
    }

    void stop() throws InterruptedException {
      running = false;
      thread.join(10_000);
      if (failure != null) {
        throw new IllegalStateException("background traffic failed", failure);
      }
    }
  }

  private double score(double mean) {
    return clamp(mean + random.nextGaussian() * 0.1);
  }

  private static double clamp(double x) {
    return Math.max(0, Math.min(1, x));
  }

  private static StringJoiner batch(String key) {
    // Closed by the caller with "]}" (StringJoiner's suffix would be appended to every toString()).
    return new StringJoiner(",", "{\"" + key + "\":[", "");
  }

  private static String observation(
      String prompt, int version, String unit, String requestId, Random random) {
    return String.format(
        Locale.ROOT,
        "{\"requestId\":\"%s\",\"prompt\":\"%s\",\"version\":%d,\"unit\":\"%s\","
            + "\"latencyMs\":%.1f,\"inputTokens\":300,\"outputTokens\":%d,\"cost\":%.6f,\"error\":false,"
            + "\"safetyFlag\":false}",
        requestId,
        prompt,
        version,
        unit,
        400 + random.nextDouble() * 400,
        80 + random.nextInt(40),
        0.0004 + random.nextDouble() * 0.0001);
  }

  private static String judgement(String prompt, int version, String requestId, double score) {
    return String.format(
        Locale.ROOT,
        "{\"requestId\":\"%s\",\"prompt\":\"%s\",\"version\":%d,\"judge\":\"%s\",\"score\":%.4f}",
        requestId,
        prompt,
        version,
        JUDGE,
        score);
  }

  private static String version(int n) {
    return """
        {"systemPrompt": "You are support agent number %d. Answer briefly and politely.",
         "template": "Customer %d asks: {{question}}", "model": "sim-model",
         "parameters": {"temperature": 0.2}, "author": "bench"}
        """
        .formatted(n, n);
  }

  // ---- HTTP
  // ---------------------------------------------------------------------------------------------

  int resolve(String prompt, String unit) throws Exception {
    return get("/v1/prompts/" + prompt + "/resolve?unit=" + unit).get("version").asInt();
  }

  JsonNode get(String path) throws Exception {
    return send(
        HttpRequest.newBuilder(URI.create(stack.baseUrl() + path))
            .header("Authorization", "Bearer " + stack.adminKey())
            .GET(),
        "GET " + path);
  }

  JsonNode post(String path, String json) throws Exception {
    return send(
        HttpRequest.newBuilder(URI.create(stack.baseUrl() + path))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + stack.adminKey())
            .POST(HttpRequest.BodyPublishers.ofString(json)),
        "POST " + path);
  }

  private JsonNode send(HttpRequest.Builder request, String what) throws Exception {
    HttpResponse<String> response =
        http.send(
            request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IllegalStateException(
          what + " answered " + response.statusCode() + ": " + response.body());
    }
    return JSON.readTree(response.body());
  }

  // ---- report
  // -------------------------------------------------------------------------------------------

  private static void print(Run r) {
    System.out.printf(
        Locale.ROOT,
        "run %2d (%s): %s s from sent, %s s from returned; %s%n",
        r.number(),
        r.push() ? "push" : "no push",
        fmt(r.fromSentS(), 3),
        fmt(r.fromReturnedS(), 3),
        r.state());
  }

  /** A summary row of times in seconds: median, p90, max and how many, then the target. */
  private static void timesRow(
      Table summary, String measure, List<Double> seconds, String target, String met) {
    summary.row(
        measure,
        fmt(median(seconds), 3),
        fmt(p90(seconds), 3),
        fmt(seconds.stream().mapToDouble(d -> d).max().orElseThrow(), 3),
        seconds.size(),
        target,
        met);
  }

  private static double p90(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    return sorted.get((int) Math.ceil(0.9 * sorted.size()) - 1);
  }

  private static void report(List<Run> runs, List<Run> noPush, double seconds) {
    if (runs.isEmpty()) {
      throw new IllegalStateException("no run finished");
    }
    Table perRun =
        new Table(
            "run",
            "mode",
            "canary/baseline units",
            "deciding scores",
            "ingest request ms",
            "sent -> verdict s",
            "sent -> stable s",
            "returned -> stable s",
            "ended",
            "gate");
    List<Run> all = new ArrayList<>(runs);
    all.addAll(noPush);
    for (Run r : all) {
      perRun.row(
          r.number(),
          r.push() ? "push" : "no push, " + NO_PUSH_INTERVAL_SECONDS + " s check",
          r.canaryUnits() + "/" + r.stableUnits(),
          r.decidingScores(),
          fmt(r.ingestMs(), 1),
          Double.isNaN(r.sentToVerdictS()) ? "?" : fmt(r.sentToVerdictS(), 3),
          fmt(r.fromSentS(), 3),
          fmt(r.fromReturnedS(), 3),
          r.state(),
          gate(r.reason()));
    }
    System.out.println();
    System.out.print(perRun.render());

    List<Double> fromSent = runs.stream().map(Run::fromSentS).toList();
    List<Double> fromReturned = runs.stream().map(Run::fromReturnedS).toList();
    List<Double> toVerdict =
        runs.stream().map(Run::sentToVerdictS).filter(d -> !Double.isNaN(d)).toList();
    long qualityRollbacks =
        runs.stream()
            .filter(r -> "ROLLED_BACK".equals(r.state()) && "quality".equals(gate(r.reason())))
            .count();
    double median = median(fromSent);
    double p90 = p90(fromSent);

    System.out.println();
    Table summary = new Table("measure", "median s", "p90 s", "max s", "runs", "target", "met");
    timesRow(
        summary,
        "with push: deciding ingest sent -> resolve serves stable",
        fromSent,
        "median <= 2 s",
        median <= 2 ? "yes" : "NO");
    timesRow(
        summary,
        "with push: deciding ingest returned -> resolve serves stable",
        fromReturned,
        "",
        "");
    if (!toVerdict.isEmpty()) {
      timesRow(
          summary, "with push: sent -> workflow noted the REGRESSION verdict", toVerdict, "", "");
    }
    if (!noPush.isEmpty()) {
      timesRow(
          summary,
          "without push, check interval "
              + NO_PUSH_INTERVAL_SECONDS
              + " s (scores written to PostgreSQL)",
          noPush.stream().map(Run::fromSentS).toList(),
          "",
          "");
    }
    summary.row(
        "without push, check interval "
            + CHECK_INTERVAL_SECONDS
            + " s (as in the push runs): up to",
        fmt(CHECK_INTERVAL_SECONDS / 2.0, 0) + " (mean)",
        "",
        fmt(CHECK_INTERVAL_SECONDS, 0),
        "-",
        "",
        "");
    System.out.print(summary.render());
    System.out.println(
        "rolled back by the quality gate: "
            + qualityRollbacks
            + " of "
            + runs.size()
            + " push runs; "
            + "times from sent include the ingest request itself; \"stable\" is the first resolve answer with v1 (polled "
            + "every "
            + POLL_MS
            + " ms).");
    System.out.println(
        "total "
            + fmt(seconds, 0)
            + " s; load average at the end (1, 5, 15 min): "
            + Machine.load());
    System.out.printf(
        Locale.ROOT,
        "{\"median_s\":%.3f,\"p90_s\":%.3f,\"runs\":%d,\"from\":\"deciding ingest request sent\","
            + "\"median_from_returned_s\":%.3f,\"quality_rollbacks\":%d,\"check_interval_s\":%d,"
            + "\"nopush_check_interval_s\":%d,\"nopush_median_s\":%s,\"load\":\"%s\"}%n",
        median,
        p90,
        runs.size(),
        median(fromReturned),
        qualityRollbacks,
        CHECK_INTERVAL_SECONDS,
        NO_PUSH_INTERVAL_SECONDS,
        noPush.isEmpty()
            ? "null"
            : String.format(
                Locale.ROOT, "%.3f", median(noPush.stream().map(Run::fromSentS).toList())),
        Machine.load());
  }

  private static String gate(String reason) {
    String r = reason.toLowerCase(Locale.ROOT);
    for (String gate :
        List.of("quality", "error", "safety", "latency", "cost", "split", "sample ratio")) {
      if (r.contains(gate)) {
        return gate;
      }
    }
    return "?";
  }
}
