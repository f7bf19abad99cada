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
    int rollouts = Integer.getInteger("bench.rollouts", 1000);
    int baseline = Integer.getInteger("bench.baseline", 10);
    double minutes = Double.parseDouble(System.getProperty("bench.minutes", "3"));
    int lookSeconds = Integer.getInteger("bench.look-seconds", 5);
    int sessionSeconds = Integer.getInteger("bench.session-seconds", 10);
    String temporal = System.getProperty("bench.temporal", "auto");
    System.out.printf(
        Locale.ROOT,
        "many-rollouts benchmark: %d cores, %s; %d rollouts (baseline %d), %.1f min each, a look"
            + " every %d s, a session per rollout every %d s; load average at start %s%n",
        Runtime.getRuntime().availableProcessors(),
        Runtime.version(),
        rollouts,
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
      PhaseResult many = bench.phase("many", rollouts);
      report(server, lookSeconds, sessionSeconds, minutes, base, many);
    }
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
        unreadable);
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
      int unreadableHistories) {

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

  private static void report(
      String server,
      int lookSeconds,
      int sessionSeconds,
      double minutes,
      PhaseResult base,
      PhaseResult many) {
    Table t =
        new Table(
                "measure",
                base.asked() + " rollouts (baseline)",
                many.asked() + " rollouts",
                "ratio")
            .row(
                "rollouts started / refused (started after a 503 and a 409 naming them)",
                base.started() + " / " + base.refused() + " (" + base.startedDespite503() + ")",
                many.started() + " / " + many.refused() + " (" + many.startedDespite503() + ")",
                "")
            .row(
                "in CANARY before the window (s after the first start)",
                base.inCanary() + " (" + fmt(base.rampSeconds(), 0) + " s)",
                many.inCanary() + " (" + fmt(many.rampSeconds(), 0) + " s)",
                "")
            .row(
                "ended by themselves in the window",
                base.endedDuringWindow() + " " + ended(base),
                many.endedDuringWindow() + " " + ended(many),
                "")
            .row(
                "finished after the abort (final state)",
                base.finished() + " of " + base.started(),
                many.finished() + " of " + many.started(),
                "")
            .row(
                "looks due in the window",
                base.looksInWindow().size(),
                many.looksInWindow().size(),
                "")
            .row(
                "looks per rollout per minute",
                fmt(
                    base.looksInWindow().size()
                        / (double) Math.max(1, base.inCanary())
                        / (base.wallSeconds() / 60),
                    1),
                fmt(
                    many.looksInWindow().size()
                        / (double) Math.max(1, many.inCanary())
                        / (many.wallSeconds() / 60),
                    1),
                "")
            .row(
                "look delay p50, s (due -> worker started it)",
                fmt(base.delayP(0.5), 3),
                fmt(many.delayP(0.5), 3),
                fmt(many.delayP(0.5) / base.delayP(0.5), 1) + "x")
            .row(
                "look delay p99, s",
                fmt(base.delayP(0.99), 3),
                fmt(many.delayP(0.99), 3),
                fmt(many.delayP(0.99) / base.delayP(0.99), 1) + "x")
            .row("look delay max, s", fmt(base.delayP(1.0), 3), fmt(many.delayP(1.0), 3), "")
            .row(
                "  of it due -> scheduled by the workflow, p50 / p99 s",
                fmt(base.workflowPartP(0.5), 3) + " / " + fmt(base.workflowPartP(0.99), 3),
                fmt(many.workflowPartP(0.5), 3) + " / " + fmt(many.workflowPartP(0.99), 3),
                "")
            .row(
                "history events per run: median / max (limit " + HISTORY_EVENT_LIMIT + ")",
                fmt(base.medianEvents(), 0) + " / " + base.maxEvents(),
                fmt(many.medianEvents(), 0) + " / " + many.maxEvents(),
                "")
            .row(
                "history events per rollout per minute (minutes to the limit)",
                fmt(base.eventsPerMinute(), 0)
                    + " ("
                    + fmt(HISTORY_EVENT_LIMIT / base.eventsPerMinute(), 0)
                    + ")",
                fmt(many.eventsPerMinute(), 0)
                    + " ("
                    + fmt(HISTORY_EVENT_LIMIT / many.eventsPerMinute(), 0)
                    + ")",
                "")
            .row(
                "runs / runs continued as new",
                base.runs().size() + " / " + base.continuedAsNew(),
                many.runs().size() + " / " + many.continuedAsNew(),
                "")
            .row(
                "worker CPU, cores (CPU time / wall)",
                fmt(base.workerCores(), 2),
                fmt(many.workerCores(), 2),
                fmt(many.workerCores() / base.workerCores(), 1) + "x")
            .row(
                "dev process CPU, cores (API"
                    + (server.startsWith("Temporal's Java") ? " + Temporal" : "")
                    + ")",
                fmt(base.devCpuSeconds() / base.wallSeconds(), 2),
                fmt(many.devCpuSeconds() / many.wallSeconds(), 2),
                "")
            .row(
                "Temporal CLI server CPU, cores",
                Double.isNaN(base.temporalCliCpuSeconds())
                    ? "-"
                    : fmt(base.temporalCliCpuSeconds() / base.wallSeconds(), 2),
                Double.isNaN(many.temporalCliCpuSeconds())
                    ? "-"
                    : fmt(many.temporalCliCpuSeconds() / many.wallSeconds(), 2),
                "")
            .row(
                "worker heap after a full GC, MB: window start / end",
                base.heapBeforeMb() + " / " + base.heapAfterMb(),
                many.heapBeforeMb() + " / " + many.heapAfterMb(),
                "")
            .row(
                "worker heap after young GCs in the window, max MB",
                base.maxHeapAfterYoungGcMb() == 0 ? "no GC" : base.maxHeapAfterYoungGcMb(),
                many.maxHeapAfterYoungGcMb() == 0 ? "no GC" : many.maxHeapAfterYoungGcMb(),
                "")
            .row(
                "traffic in the window: sessions / observations / failed calls",
                base.traffic().sessions()
                    + " / "
                    + base.traffic().observations()
                    + " / "
                    + base.traffic().failures(),
                many.traffic().sessions()
                    + " / "
                    + many.traffic().observations()
                    + " / "
                    + many.traffic().failures(),
                "")
            .row(
                "load average at window start / end",
                base.loadStart() + " / " + base.loadEnd(),
                many.loadStart() + " / " + many.loadEnd(),
                "");
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
    boolean onTime = many.delayP(0.99) < lookSeconds;
    System.out.printf(
        Locale.ROOT,
        "looks on time at %d rollouts (p99 delay under the %d s look interval): %s (p99 %.3f s)%n",
        many.inCanary(),
        lookSeconds,
        onTime ? "yes" : "NO",
        many.delayP(0.99));
    boolean bounded =
        many.maxEvents() <= HISTORY_EVENT_LIMIT + 100
            && base.maxEvents() <= HISTORY_EVENT_LIMIT + 100;
    System.out.printf(
        Locale.ROOT,
        "history per run bounded (at most %d events plus one look's): %s (max %d; %d runs continued as new)%n",
        HISTORY_EVENT_LIMIT,
        bounded ? "yes" : "NO",
        Math.max(base.maxEvents(), many.maxEvents()),
        base.continuedAsNew() + many.continuedAsNew());
    ObjectNode json = JSON.createObjectNode();
    json.put("bench", "many-rollouts");
    json.put("temporal", server);
    json.put("look_interval_s", lookSeconds);
    json.put("session_every_s", sessionSeconds);
    json.put("minutes", minutes);
    json.set("baseline", phaseJson(base));
    json.set("many", phaseJson(many));
    json.put("look_delay_p99_ratio", many.delayP(0.99) / base.delayP(0.99));
    json.put("looks_on_time", onTime);
    json.put("history_bounded", bounded);
    System.out.println(json.toString());
  }

  private static String ended(PhaseResult r) {
    Map<String, Integer> other = new TreeMap<>(r.statesAtWindowEnd());
    other.remove("CANARY");
    return other.isEmpty() ? "" : other.toString();
  }

  private static ObjectNode phaseJson(PhaseResult r) {
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
    o.put("worker_cpu_cores", r.workerCores());
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
