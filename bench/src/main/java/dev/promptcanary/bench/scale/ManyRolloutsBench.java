package dev.promptcanary.bench.scale;

import static dev.promptcanary.bench.Table.fmt;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.promptcanary.api.auth.Role;
import dev.promptcanary.bench.Api;
import dev.promptcanary.bench.Machine;
import dev.promptcanary.bench.Options;
import dev.promptcanary.bench.Table;
import dev.promptcanary.bench.rollback.DevStack;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Fault 7 of issue 13, the scale of the engine itself: many concurrent rollouts on one worker, each
 * looking every few seconds while sessions of traffic come in through ingest, on the embedded stack
 * ({@code dev --no-worker} from the packaged jar, with the Temporal CLI's dev server when it is
 * installed, else the Java test server) and one separate {@code worker} process. Each rollout has
 * its own prompt, one stage at 50% that cannot pass (no judge scores arrive, and its bake is a
 * day), and the look interval {@code checkIntervalSeconds}; the ingest nudges ({@code dataArrived},
 * at most one a second per rollout) make it look in between.
 *
 * <p>Measured from the workflow histories (Temporal's own timestamps): each look's delay from when
 * it was due to when the worker started it ({@link LookHistory}), the events per run and how many
 * runs continued as new; from {@code /proc}, the worker's CPU time over the window's wall time;
 * from its GC log, the heap after a full collection at the window's start and end. The baseline, in
 * the same run on the same stack, is the same with 10 rollouts: the ratio is of the look delay's
 * p99.
 */
public final class ManyRolloutsBench {
  /** RolloutWorkflowImpl.HISTORY_EVENT_LIMIT: past it, a bake continues as new after its look. */
  static final int HISTORY_EVENT_LIMIT = 3000;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Rollout starts and aborts in flight at once (the API's limit is 10 a second per key). */
  private static final int CONCURRENT_CONTROLS = 16;

  /** How long the aborts at a phase's end may take before the rest count as not finished. */
  private static final long ABORT_BUDGET_MILLIS = 300_000;

  private final DevStack stack;
  private final WorkerProcess worker;
  private final TemporalHistories histories;
  private final SessionTraffic traffic;
  private final Api admin;
  private final Controls controls;
  private final int lookSeconds;
  private final double minutes;
  private final OptionalLong temporalCliPid;

  private ManyRolloutsBench(
      DevStack stack,
      WorkerProcess worker,
      SessionTraffic traffic,
      int lookSeconds,
      double minutes) {
    this.stack = stack;
    this.worker = worker;
    this.histories = new TemporalHistories("127.0.0.1:" + stack.temporalPort());
    this.traffic = traffic;
    this.admin = new Api(stack.baseUrl(), stack.adminKey());
    this.controls = new Controls(stack.baseUrl(), stack.adminKey());
    this.lookSeconds = lookSeconds;
    this.minutes = minutes;
    this.temporalCliPid =
        ProcessMeter.find("server", "start-dev", "--port " + stack.temporalPort() + " ");
  }

  public static void main(String[] args) throws Exception {
    Options.apply(args);
    // one count, or several ("100,300,1000") measured one after the other to find the knee
    List<Integer> steps =
        java.util.Arrays.stream(System.getProperty("bench.rollouts", "1000").split(","))
            .map(String::strip)
            .map(Integer::valueOf)
            .toList();
    int baseline = Integer.getInteger("bench.baseline", 10);
    double minutes = Double.parseDouble(System.getProperty("bench.minutes", "3"));
    int lookSeconds = Integer.getInteger("bench.look-seconds", 5);
    int sessionSeconds = Integer.getInteger("bench.session-seconds", 10);
    String temporal = System.getProperty("bench.temporal", "auto");
    System.out.printf(
        Locale.ROOT,
        "many-rollouts benchmark: %d cores, %s; %s rollouts (baseline %d), %.1f min each, a look"
            + " every %d s, a session per rollout every %d s; load average at start %s%n",
        Runtime.getRuntime().availableProcessors(),
        Runtime.version(),
        steps,
        baseline,
        minutes,
        lookSeconds,
        sessionSeconds,
        Machine.load());
    System.out.println("starting the packaged jar's dev --no-worker and one worker...");
    try (DevStack stack =
            DevStack.start(
                List.of("-Xmx2g"), List.of("--no-worker", "--temporal-server", temporal));
        WorkerProcess worker = WorkerProcess.start(stack, "1g");
        SessionTraffic traffic =
            new SessionTraffic(stack.baseUrl(), stack.key(Role.CLIENT), sessionSeconds)) {
      String server = temporalServer(stack);
      System.out.println("temporal: " + server);
      traffic.start();
      ManyRolloutsBench bench = new ManyRolloutsBench(stack, worker, traffic, lookSeconds, minutes);
      PhaseResult base = bench.phase("baseline", baseline);
      List<PhaseResult> many = new ArrayList<>();
      printSummary(base);
      for (int count : steps) {
        PhaseResult step = bench.phase(steps.size() == 1 ? "many" : "step" + count, count);
        printSummary(step);
        many.add(step);
      }
      report(server, lookSeconds, sessionSeconds, minutes, base, many);
    }
  }

  /** A phase's main figures as soon as it is over, so a run cut short still says what it saw. */
  private static void printSummary(PhaseResult r) {
    System.out.printf(
        Locale.ROOT,
        "[%s] summary: %d rollouts, %d in CANARY; %d looks; delay p50 %.3f s, p99 %.3f s; worker %.2f"
            + " cores, %.1f ms CPU per look; %.0f workflow tasks (mean %.1f ms), sticky cache hit share"
            + " %.3f (%.0f misses); heap after full GC %d / %d MB; events per run max %d; load %s / %s%n",
        r.name(),
        r.asked(),
        r.inCanary(),
        r.looksInWindow().size(),
        r.delayP(0.5),
        r.delayP(0.99),
        r.workerCores(),
        r.cpuMillisPerLook(),
        r.sdk(WorkerMetrics.WORKFLOW_TASKS),
        r.sdkMeanMillis(WorkerMetrics.WORKFLOW_TASK_SECONDS, WorkerMetrics.WORKFLOW_TASKS),
        r.cacheHitShare(),
        r.sdk(WorkerMetrics.CACHE_MISSES),
        r.heapBeforeMb(),
        r.heapAfterMb(),
        r.maxEvents(),
        r.loadStart(),
        r.loadEnd());
  }

  /** The start-up line dev printed about its Temporal. */
  private static String temporalServer(DevStack stack) throws Exception {
    for (String line : Files.readAllLines(stack.work().resolve("dev.log"))) {
      if (line.contains("Temporal dev server (")) {
        return "Temporal CLI dev server ("
            + line.replaceAll(".*Temporal dev server \\(([^)]*)\\).*", "$1")
            + ")";
      }
      if (line.contains("Temporal's Java test server on")) {
        return "Temporal's Java test server (in the dev process)";
      }
    }
    return "unknown (no start-up line in dev.log)";
  }

  // ---- one phase
  // -------------------------------------------------------------------------------------------

  private PhaseResult phase(String name, int count) throws Exception {
    String prefix = "many-" + name + "-";
    List<String> prompts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      prompts.add(prefix + i);
    }
    System.out.printf(
        Locale.ROOT, "%n[%s] creating %d prompts (v1 stable, v2 candidate)...%n", name, count);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> created = new ArrayList<>();
      for (String p : prompts) {
        created.add(
            pool.submit(
                () -> {
                  admin.createVersion(p, 1);
                  admin.createVersion(p, 2);
                  return null;
                }));
      }
      for (Future<?> f : created) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }

    System.out.printf(
        Locale.ROOT,
        "[%s] starting %d rollouts (the API allows 10 controls/s per key)...%n",
        name,
        count);
    long startAt = System.currentTimeMillis();
    List<String> ids = java.util.Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.atomic.AtomicInteger refusals =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger startedDespite503 =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicReference<String> refusal =
        new java.util.concurrent.atomic.AtomicReference<>();
    // Several at once: a start answers only after the workflow started and was read back (seconds
    // under load), so one at a time would never reach the API's 10 a second.
    ExecutorService starters = Executors.newFixedThreadPool(CONCURRENT_CONTROLS);
    try {
      List<Future<?>> sent = new ArrayList<>();
      for (String p : prompts) {
        sent.add(
            starters.submit(
                () -> {
                  Controls.Answer answer =
                      controls.send(
                          "/v1/rollouts",
                          """
                          {"prompt": "%s", "candidateVersion": 2, "checkIntervalSeconds": %d,
                           "stages": [{"weightBp": 5000, "minBakeSeconds": 86400, "maxBakeSeconds": 86400}]}
                          """
                              .formatted(p, lookSeconds));
                  if (answer.status() == 201) {
                    ids.add(JSON.readTree(answer.body()).path("id").asText());
                    traffic.add(p);
                  } else if (answer.status() == 409
                      && answer.unavailableBefore() > 0
                      && (answer.body().contains("already exists in Temporal")
                          || answer.body().contains("already has a running rollout"))) {
                    // An earlier attempt answered 503 although its start reached Temporal: the
                    // rollout runs (its id is the prompt's and the candidate's). Counted apart.
                    ids.add("rollout-" + p + "-2");
                    traffic.add(p);
                    startedDespite503.incrementAndGet();
                  } else {
                    refusals.incrementAndGet();
                    refusal.compareAndSet(null, answer.status() + " " + answer.body());
                  }
                  return null;
                }));
      }
      for (Future<?> f : sent) {
        f.get();
      }
    } finally {
      starters.shutdown();
    }
    int refused = refusals.get();
    String firstRefusal = refusal.get();
    double startSeconds = (System.currentTimeMillis() - startAt) / 1000.0;
    System.out.printf(
        Locale.ROOT,
        "[%s] %d started in %.1f s (%d of them answered 503 first; %d refused%s)%n",
        name,
        ids.size(),
        startSeconds,
        startedDespite503.get(),
        refused,
        firstRefusal == null ? "" : ": " + firstRefusal);

    long canaryDeadline = System.currentTimeMillis() + Math.max(180_000, count * 600L);
    Map<String, Integer> states = states(prefix);
    while (states.getOrDefault("CANARY", 0) < ids.size()
        && System.currentTimeMillis() < canaryDeadline) {
      Thread.sleep(2000);
      states = states(prefix);
    }
    int inCanary = states.getOrDefault("CANARY", 0);
    double rampSeconds = (System.currentTimeMillis() - startAt) / 1000.0;
    System.out.printf(
        Locale.ROOT,
        "[%s] %d of %d in CANARY %.1f s after the first start: %s%n",
        name,
        inCanary,
        ids.size(),
        rampSeconds,
        states);

    long heapBefore = worker.heapAfterFullGcMb();
    WorkerMetrics metrics0 = worker.metrics();
    double workerCpu0 = worker.cpuSeconds();
    double devCpu0 = ProcessMeter.cpuSeconds(stack.process().pid());
    double cliCpu0 =
        temporalCliPid.isPresent()
            ? ProcessMeter.cpuSeconds(temporalCliPid.getAsLong())
            : Double.NaN;
    long sessions0 = traffic.sessions();
    long observations0 = traffic.observations();
    long failures0 = traffic.failures();
    long windowStart = System.currentTimeMillis();
    String loadStart = Machine.load();
    System.out.printf(
        Locale.ROOT,
        "[%s] measuring for %.1f min (worker heap after a full GC: %d MB)...%n",
        name,
        minutes,
        heapBefore);
    long windowMillis = Math.round(minutes * 60_000);
    long nextProgress = windowStart + 30_000;
    while (System.currentTimeMillis() < windowStart + windowMillis) {
      Thread.sleep(1000);
      if (System.currentTimeMillis() >= nextProgress) {
        nextProgress += 30_000;
        System.out.printf(
            Locale.ROOT,
            "[%s]   %.0f s: worker CPU %.2f cores so far, %d sessions, %d observations, %d failures; load %s%n",
            name,
            (System.currentTimeMillis() - windowStart) / 1000.0,
            (worker.cpuSeconds() - workerCpu0)
                / ((System.currentTimeMillis() - windowStart) / 1000.0),
            traffic.sessions() - sessions0,
            traffic.observations() - observations0,
            traffic.failures() - failures0,
            Machine.load());
      }
    }
    long windowEnd = System.currentTimeMillis();
    double wall = (windowEnd - windowStart) / 1000.0;
    double workerCpu = worker.cpuSeconds() - workerCpu0;
    WorkerMetrics metrics1 = worker.metrics();
    double devCpu = ProcessMeter.cpuSeconds(stack.process().pid()) - devCpu0;
    double cliCpu =
        temporalCliPid.isPresent()
            ? ProcessMeter.cpuSeconds(temporalCliPid.getAsLong()) - cliCpu0
            : Double.NaN;
    String loadEnd = Machine.load();
    long maxYoungAfter = 0;
    for (WorkerProcess.Collection c : worker.collections()) {
      if (c.atMillis() >= windowStart && c.atMillis() <= windowEnd) {
        maxYoungAfter = Math.max(maxYoungAfter, c.afterMb());
      }
    }
    long heapAfter = worker.heapAfterFullGcMb();
    Map<String, Integer> atEnd = states(prefix);
    traffic.removeAll(prompts);
    Traffic sent =
        new Traffic(
            traffic.sessions() - sessions0,
            traffic.observations() - observations0,
            traffic.failures() - failures0);

    // The histories are read before the aborts: an abort is an update the workflow must handle, and
    // behind a backlog of workflow tasks 1,000 of them took longer than the measurement.
    System.out.printf(Locale.ROOT, "[%s] reading the histories...%n", name);
    List<LookHistory.Run> runs = new ArrayList<>();
    int unreadable = 0;
    for (String id : ids) {
      try {
        runs.addAll(histories.runs(id));
      } catch (RuntimeException e) {
        unreadable++;
      }
    }
    System.out.printf(Locale.ROOT, "[%s] window over: %s; aborting the rollouts...%n", name, atEnd);
    java.util.concurrent.atomic.AtomicInteger aborts =
        new java.util.concurrent.atomic.AtomicInteger();
    ExecutorService aborters = Executors.newFixedThreadPool(CONCURRENT_CONTROLS);
    try {
      List<Future<?>> abortsSent = new ArrayList<>();
      for (String id : ids) {
        abortsSent.add(
            aborters.submit(
                () -> {
                  if (controls
                          .send(
                              "/v1/rollouts/" + id + "/abort",
                              "{\"reason\": \"many-rollouts bench over\"}")
                          .status()
                      == 200) {
                    aborts.incrementAndGet();
                  }
                  return null;
                }));
      }
      long abortDeadline = System.currentTimeMillis() + ABORT_BUDGET_MILLIS;
      for (Future<?> f : abortsSent) {
        try {
          f.get(Math.max(1, abortDeadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException late) {
          break; // the rest are counted as not finished
        }
      }
    } finally {
      aborters.shutdownNow();
    }
    int abortsAccepted = aborts.get();
    long finishDeadline = System.currentTimeMillis() + 60_000;
    Map<String, Integer> finished = states(prefix);
    while (open(finished) > 0 && System.currentTimeMillis() < finishDeadline) {
      Thread.sleep(2000);
      finished = states(prefix);
    }
    System.out.printf(
        Locale.ROOT, "[%s] %d aborts accepted; states now %s%n", name, abortsAccepted, finished);

    return new PhaseResult(
        name,
        count,
        ids.size(),
        refused,
        startedDespite503.get(),
        startSeconds,
        inCanary,
        rampSeconds,
        atEnd,
        finished,
        windowStart,
        windowEnd,
        wall,
        workerCpu,
        devCpu,
        cliCpu,
        heapBefore,
        heapAfter,
        maxYoungAfter,
        loadStart,
        loadEnd,
        sent,
        runs,
        unreadable,
        metrics0,
        metrics1);
  }

  private static int open(Map<String, Integer> states) {
    return states.getOrDefault("PENDING_EVAL", 0)
        + states.getOrDefault("CANARY", 0)
        + states.getOrDefault("PAUSED", 0)
        + states.getOrDefault("AWAITING_APPROVAL", 0);
  }

  /** The read model's states of this phase's rollouts (bookkeeping of the bench, not measured). */
  private Map<String, Integer> states(String prefix) throws Exception {
    Properties props = new Properties();
    props.setProperty("user", "postgres");
    Map<String, Integer> out = new TreeMap<>();
    try (Connection c = DriverManager.getConnection(stack.jdbcUrl(), props);
        PreparedStatement s =
            c.prepareStatement(
                "SELECT state, count(*) FROM rollouts WHERE starts_with(prompt, ?) GROUP BY state")) {
      s.setString(1, prefix);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getInt(2));
        }
      }
    }
    return out;
  }

  // ---- results
  // ---------------------------------------------------------------------------------------------

  record Traffic(long sessions, long observations, long failures) {}

  record PhaseResult(
      String name,
      int asked,
      int started,
      int refused,
      int startedDespite503,
      double startSeconds,
      int inCanary,
      double rampSeconds,
      Map<String, Integer> statesAtWindowEnd,
      Map<String, Integer> statesAfterAbort,
      long windowStart,
      long windowEnd,
      double wallSeconds,
      double workerCpuSeconds,
      double devCpuSeconds,
      double temporalCliCpuSeconds,
      long heapBeforeMb,
      long heapAfterMb,
      long maxHeapAfterYoungGcMb,
      String loadStart,
      String loadEnd,
      Traffic traffic,
      List<LookHistory.Run> runs,
      int unreadableHistories,
      WorkerMetrics metricsAtStart,
      WorkerMetrics metricsAtEnd) {

    /** The worker's CPU per look due in the window, ms: what one rollout's look costs it. */
    double cpuMillisPerLook() {
      return workerCpuSeconds * 1000 / Math.max(1, looksInWindow().size());
    }

    double sdk(String counter) {
      return metricsAtEnd.since(metricsAtStart, counter);
    }

    double sdkMeanMillis(String sum, String count) {
      return metricsAtEnd.meanSince(metricsAtStart, sum, count) * 1000;
    }

    /** Share of the window's workflow tasks that found their workflow in the sticky cache. */
    double cacheHitShare() {
      double hits = sdk(WorkerMetrics.CACHE_HITS);
      double misses = sdk(WorkerMetrics.CACHE_MISSES);
      return hits / (hits + misses);
    }

    List<LookHistory.Look> looksInWindow() {
      List<LookHistory.Look> out = new ArrayList<>();
      for (LookHistory.Run run : runs) {
        for (LookHistory.Look look : run.looks()) {
          if (look.dueMillis() >= windowStart && look.dueMillis() <= windowEnd) {
            out.add(look);
          }
        }
      }
      return out;
    }

    double delayP(double p) {
      return percentile(looksInWindow().stream().map(l -> l.delayMillis() / 1000.0).toList(), p);
    }

    double workflowPartP(double p) {
      return percentile(
          looksInWindow().stream().map(l -> l.workflowPartMillis() / 1000.0).toList(), p);
    }

    int maxEvents() {
      return runs.stream().mapToInt(LookHistory.Run::events).max().orElse(0);
    }

    long continuedAsNew() {
      return runs.stream().filter(LookHistory.Run::continuedAsNew).count();
    }

    double medianEvents() {
      return percentile(runs.stream().map(r -> (double) r.events()).toList(), 0.5);
    }

    /**
     * History growth while looking: events added per rollout per minute of the window, from the
     * looks' share of the history (events between the first and the last look due in the window).
     */
    double eventsPerMinute() {
      double looksPerMinute =
          looksInWindow().size() / (double) Math.max(1, inCanary) / (wallSeconds / 60);
      double eventsPerLook =
          runs.stream().mapToInt(LookHistory.Run::events).sum()
              / (double) Math.max(1, runs.stream().mapToInt(r -> r.looks().size()).sum());
      return looksPerMinute * eventsPerLook;
    }

    double workerCores() {
      return workerCpuSeconds / wallSeconds;
    }

    int finished() {
      return statesAfterAbort.entrySet().stream()
          .filter(
              e ->
                  !List.of("PENDING_EVAL", "CANARY", "PAUSED", "AWAITING_APPROVAL")
                      .contains(e.getKey()))
          .mapToInt(Map.Entry::getValue)
          .sum();
    }

    int endedDuringWindow() {
      return statesAtWindowEnd.entrySet().stream()
          .filter(e -> !e.getKey().equals("CANARY"))
          .mapToInt(Map.Entry::getValue)
          .sum();
    }
  }

  static double percentile(List<Double> values, double p) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    return sorted.get(
        (int) Math.min(sorted.size() - 1, Math.max(0, Math.ceil(p * sorted.size()) - 1)));
  }

  /** One row: a label, then the cell of the baseline and of each step. */
  private static void row(
      Table t,
      String label,
      PhaseResult base,
      List<PhaseResult> many,
      java.util.function.Function<PhaseResult, Object> cell) {
    List<Object> cells = new ArrayList<>();
    cells.add(label);
    cells.add(cell.apply(base));
    for (PhaseResult step : many) {
      cells.add(cell.apply(step));
    }
    t.row(cells.toArray());
  }

  /** A figure of a step with its ratio to the baseline's. */
  private static String withRatio(double value, double baseline, int decimals) {
    return fmt(value, decimals) + " (" + fmt(value / baseline, 1) + "x)";
  }

  private static double looksPerRolloutMinute(PhaseResult r) {
    return r.looksInWindow().size() / (double) Math.max(1, r.inCanary()) / (r.wallSeconds() / 60);
  }

  private static void report(
      String server,
      int lookSeconds,
      int sessionSeconds,
      double minutes,
      PhaseResult base,
      List<PhaseResult> many) {
    List<String> header = new ArrayList<>(List.of("measure", base.asked() + " (baseline)"));
    for (PhaseResult step : many) {
      header.add(step.asked() + " rollouts (x baseline)");
    }
    Table t = new Table(header.toArray(String[]::new));
    row(
        t,
        "rollouts started / refused (started after a 503 and a 409 naming them)",
        base,
        many,
        r -> r.started() + " / " + r.refused() + " (" + r.startedDespite503() + ")");
    row(
        t,
        "in CANARY before the window (s after the first start)",
        base,
        many,
        r -> r.inCanary() + " (" + fmt(r.rampSeconds(), 0) + " s)");
    row(
        t,
        "ended by themselves in the window",
        base,
        many,
        r -> r.endedDuringWindow() + " " + ended(r));
    row(
        t,
        "finished after the abort (final state)",
        base,
        many,
        r -> r.finished() + " of " + r.started());
    row(t, "looks due in the window", base, many, r -> r.looksInWindow().size());
    row(t, "looks per rollout per minute", base, many, r -> fmt(looksPerRolloutMinute(r), 1));
    row(
        t,
        "look delay p50, s (due -> worker started it)",
        base,
        many,
        r -> r == base ? fmt(r.delayP(0.5), 3) : withRatio(r.delayP(0.5), base.delayP(0.5), 3));
    row(
        t,
        "look delay p99, s",
        base,
        many,
        r -> r == base ? fmt(r.delayP(0.99), 3) : withRatio(r.delayP(0.99), base.delayP(0.99), 3));
    row(t, "look delay max, s", base, many, r -> fmt(r.delayP(1.0), 3));
    row(
        t,
        "  of it due -> scheduled by the workflow, p50 / p99 s",
        base,
        many,
        r -> fmt(r.workflowPartP(0.5), 3) + " / " + fmt(r.workflowPartP(0.99), 3));
    row(
        t,
        "history events per run: median / max (limit " + HISTORY_EVENT_LIMIT + ")",
        base,
        many,
        r -> fmt(r.medianEvents(), 0) + " / " + r.maxEvents());
    row(
        t,
        "history events per rollout per minute (minutes to the limit)",
        base,
        many,
        r ->
            fmt(r.eventsPerMinute(), 0)
                + " ("
                + fmt(HISTORY_EVENT_LIMIT / r.eventsPerMinute(), 0)
                + ")");
    row(
        t,
        "runs / runs continued as new",
        base,
        many,
        r -> r.runs().size() + " / " + r.continuedAsNew());
    row(
        t,
        "worker CPU, cores (CPU time / wall)",
        base,
        many,
        r ->
            r == base
                ? fmt(r.workerCores(), 2)
                : withRatio(r.workerCores(), base.workerCores(), 2));
    row(t, "worker CPU per look, ms", base, many, r -> fmt(r.cpuMillisPerLook(), 1));
    row(
        t,
        "workflow tasks per look / mean ms each",
        base,
        many,
        r ->
            fmt(r.sdk(WorkerMetrics.WORKFLOW_TASKS) / Math.max(1, r.looksInWindow().size()), 1)
                + " / "
                + fmt(
                    r.sdkMeanMillis(
                        WorkerMetrics.WORKFLOW_TASK_SECONDS, WorkerMetrics.WORKFLOW_TASKS),
                    1));
    row(
        t,
        "workflow tasks failed (the deadlock detector's among them)",
        base,
        many,
        r -> fmt(r.sdk(WorkerMetrics.WORKFLOW_TASK_FAILURES), 0));
    row(
        t,
        "sticky cache hits share / misses / forced evictions",
        base,
        many,
        r ->
            fmt(r.cacheHitShare(), 3)
                + " / "
                + fmt(r.sdk(WorkerMetrics.CACHE_MISSES), 0)
                + " / "
                + fmt(r.sdk(WorkerMetrics.CACHE_EVICTIONS), 0));
    row(
        t,
        "activities in the window / mean ms each",
        base,
        many,
        r ->
            fmt(r.sdk(WorkerMetrics.ACTIVITIES), 0)
                + " / "
                + fmt(
                    r.sdkMeanMillis(WorkerMetrics.ACTIVITY_SECONDS, WorkerMetrics.ACTIVITIES), 1));
    row(
        t,
        "dev process CPU, cores (API"
            + (server.startsWith("Temporal's Java") ? " + Temporal" : "")
            + ")",
        base,
        many,
        r -> fmt(r.devCpuSeconds() / r.wallSeconds(), 2));
    row(
        t,
        "Temporal CLI server CPU, cores",
        base,
        many,
        r ->
            Double.isNaN(r.temporalCliCpuSeconds())
                ? "-"
                : fmt(r.temporalCliCpuSeconds() / r.wallSeconds(), 2));
    row(
        t,
        "worker heap after a full GC, MB: window start / end",
        base,
        many,
        r -> r.heapBeforeMb() + " / " + r.heapAfterMb());
    row(
        t,
        "worker heap after young GCs in the window, max MB",
        base,
        many,
        r -> r.maxHeapAfterYoungGcMb() == 0 ? "no GC" : r.maxHeapAfterYoungGcMb());
    row(
        t,
        "traffic in the window: sessions / observations / failed calls",
        base,
        many,
        r ->
            r.traffic().sessions()
                + " / "
                + r.traffic().observations()
                + " / "
                + r.traffic().failures());
    row(
        t,
        "load average at window start / end",
        base,
        many,
        r -> r.loadStart() + " / " + r.loadEnd());
    System.out.println();
    System.out.println(
        "temporal: "
            + server
            + "; one worker process; look interval "
            + lookSeconds
            + " s; a session per rollout every "
            + sessionSeconds
            + " s");
    System.out.print(t.render());
    PhaseResult largest = many.get(many.size() - 1);
    boolean onTime = largest.delayP(0.99) < lookSeconds;
    for (PhaseResult step : many) {
      System.out.printf(
          Locale.ROOT,
          "looks on time at %d rollouts (p99 delay under the %d s look interval): %s (p99 %.3f s)%n",
          step.inCanary(),
          lookSeconds,
          step.delayP(0.99) < lookSeconds ? "yes" : "NO",
          step.delayP(0.99));
    }
    int maxEvents =
        Math.max(base.maxEvents(), many.stream().mapToInt(PhaseResult::maxEvents).max().orElse(0));
    boolean bounded = maxEvents <= HISTORY_EVENT_LIMIT + 100;
    System.out.printf(
        Locale.ROOT,
        "history per run bounded (at most %d events plus one look's): %s (max %d; %d runs continued as new)%n",
        HISTORY_EVENT_LIMIT,
        bounded ? "yes" : "NO",
        maxEvents,
        base.continuedAsNew() + many.stream().mapToLong(PhaseResult::continuedAsNew).sum());
    ObjectNode json = JSON.createObjectNode();
    json.put("bench", "many-rollouts");
    json.put("temporal", server);
    json.put("look_interval_s", lookSeconds);
    json.put("session_every_s", sessionSeconds);
    json.put("minutes", minutes);
    json.set("baseline", phaseJson(base, base));
    var stepsJson = json.putArray("steps");
    for (PhaseResult step : many) {
      stepsJson.add(phaseJson(step, base));
    }
    json.set("many", phaseJson(largest, base));
    json.put("look_delay_p99_ratio", largest.delayP(0.99) / base.delayP(0.99));
    json.put("looks_on_time", onTime);
    json.put("history_bounded", bounded);
    System.out.println(json.toString());
  }

  private static String ended(PhaseResult r) {
    Map<String, Integer> other = new TreeMap<>(r.statesAtWindowEnd());
    other.remove("CANARY");
    return other.isEmpty() ? "" : other.toString();
  }

  private static ObjectNode phaseJson(PhaseResult r, PhaseResult base) {
    ObjectNode o = JSON.createObjectNode();
    o.put("rollouts", r.asked());
    o.put("started", r.started());
    o.put("refused", r.refused());
    o.put("started_despite_503", r.startedDespite503());
    o.put("in_canary", r.inCanary());
    o.put("ramp_s", r.rampSeconds());
    o.put("ended_in_window", r.endedDuringWindow());
    o.put("finished", r.finished());
    o.put("window_s", r.wallSeconds());
    o.put("looks", r.looksInWindow().size());
    o.put("look_delay_p50_s", r.delayP(0.5));
    o.put("look_delay_p99_s", r.delayP(0.99));
    o.put("look_delay_max_s", r.delayP(1.0));
    o.put("workflow_part_p99_s", r.workflowPartP(0.99));
    o.put("events_per_run_median", r.medianEvents());
    o.put("events_per_run_max", r.maxEvents());
    o.put("events_per_rollout_per_minute", r.eventsPerMinute());
    o.put("runs", r.runs().size());
    o.put("continued_as_new", r.continuedAsNew());
    o.put("unreadable_histories", r.unreadableHistories());
    o.put("look_delay_p99_ratio", r.delayP(0.99) / base.delayP(0.99));
    o.put("worker_cpu_cores", r.workerCores());
    o.put("worker_cpu_ms_per_look", r.cpuMillisPerLook());
    o.put("workflow_tasks", r.sdk(WorkerMetrics.WORKFLOW_TASKS));
    o.put(
        "workflow_task_mean_ms",
        r.sdkMeanMillis(WorkerMetrics.WORKFLOW_TASK_SECONDS, WorkerMetrics.WORKFLOW_TASKS));
    o.put("workflow_tasks_failed", r.sdk(WorkerMetrics.WORKFLOW_TASK_FAILURES));
    o.put("sticky_cache_hit_share", r.cacheHitShare());
    o.put("sticky_cache_misses", r.sdk(WorkerMetrics.CACHE_MISSES));
    o.put("sticky_cache_forced_evictions", r.sdk(WorkerMetrics.CACHE_EVICTIONS));
    o.put("activities", r.sdk(WorkerMetrics.ACTIVITIES));
    o.put(
        "activity_mean_ms",
        r.sdkMeanMillis(WorkerMetrics.ACTIVITY_SECONDS, WorkerMetrics.ACTIVITIES));
    o.put("dev_cpu_cores", r.devCpuSeconds() / r.wallSeconds());
    if (!Double.isNaN(r.temporalCliCpuSeconds())) {
      o.put("temporal_cli_cpu_cores", r.temporalCliCpuSeconds() / r.wallSeconds());
    }
    o.put("worker_heap_after_full_gc_start_mb", r.heapBeforeMb());
    o.put("worker_heap_after_full_gc_end_mb", r.heapAfterMb());
    o.put("worker_heap_after_young_gc_max_mb", r.maxHeapAfterYoungGcMb());
    o.put("sessions", r.traffic().sessions());
    o.put("observations", r.traffic().observations());
    o.put("traffic_failures", r.traffic().failures());
    o.put("load_start", r.loadStart());
    o.put("load_end", r.loadEnd());
    return o;
  }
}
