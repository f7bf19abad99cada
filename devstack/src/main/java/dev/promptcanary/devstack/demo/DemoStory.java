package dev.promptcanary.devstack.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.promptcanary.cli.ApiClient;
import dev.promptcanary.cli.ApiError;
import dev.promptcanary.cli.PromptCanaryCli;
import dev.promptcanary.cli.RolloutWatch;
import dev.promptcanary.cli.WatchFrame;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The guided "main job" of the {@code demo} command, played against the real REST API over HTTP:
 * three versions of a support prompt (stable, better, regressed; the model SIMULATOR answers each
 * according to its {@code [sim ...]} marker), an eval suite, and two rollouts under simulated user
 * traffic. The better candidate should be promoted, the regressed one rolled back by the rollout
 * itself. Every step is printed as it happens.
 */
public final class DemoStory {
  static final String PROMPT = "support-demo";
  static final String SUITE = "support-demo";
  private static final int REASON_CHARS = 150;
  private static final int WATCH_WIDTH = 150;

  /**
   * Where and how to play. {@code temporalTarget} and {@code temporalUiUrl} (empty: no Temporal UI)
   * are only printed (the rollouts run on the server's own worker).
   */
  public record Settings(
      URI api,
      URI model,
      String temporalTarget,
      String temporalUiUrl,
      long seed,
      Duration timeout,
      int threads,
      double sessionsPerSecond,
      String deployerKey,
      String clientKey) {}

  /** How one rollout ended: {@code state} is null when it did not end within the timeout. */
  public record Ending(
      int version, String rolloutId, String expected, String state, String reason) {
    public boolean asExpected() {
      return expected.equals(state);
    }
  }

  /** The prompt versions of the story: marker, text, and what they stand for. */
  record Version(String label, String systemPrompt) {}

  static final Version STABLE =
      new Version(
          "stable",
          "[sim quality=0.72 quality_spread=0.15 latency_ms=15 error_rate=0.01] You are a support agent of an online shop."
              + " Answer the customer's question politely.");
  static final Version BETTER =
      new Version(
          "a better candidate",
          "[sim quality=0.80 quality_spread=0.15 latency_ms=15 error_rate=0.01] You are a support agent of an online shop."
              + " Look at the order, then answer in two sentences.");
  static final Version REGRESSED =
      new Version(
          "a regressed candidate",
          "[sim quality=0.55 quality_spread=0.15 latency_ms=15 error_rate=0.04] You are a support agent of an online shop."
              + " Be as brief as you can; skip the order.");

  /**
   * Guardrail margins widened so a demo-sized sample decides; a real rollout keeps the defaults.
   */
  static final String DEMO_GATES =
      """
      {"errorRate": {"margin": 0.05}, "safety": {"margin": 0.05, "ceiling": 0.10}, "latency": {"margin": 0.15},
       "sampleRatio": {"relativeTolerance": 0.5}}""";

  private final Settings settings;
  private final PrintStream out;
  private final JsonHttp api;
  private final JsonHttp model;
  private final JsonHttp app;
  private final ApiClient watchApi;
  private final PrintWriter watchOut;
  private final long started = System.nanoTime();

  public DemoStory(Settings settings, PrintStream out) {
    this.settings = settings;
    this.out = out;
    // The story is told by a deployer; the simulated users' app holds a client key.
    this.api = new JsonHttp(settings.api(), Duration.ofSeconds(30), settings.deployerKey());
    this.app = new JsonHttp(settings.api(), Duration.ofSeconds(30), settings.clientKey());
    this.model = new JsonHttp(settings.model(), Duration.ofSeconds(30));
    this.watchApi = new ApiClient(settings.api(), settings.deployerKey(), Duration.ofSeconds(30));
    this.watchOut = new PrintWriter(out, true, StandardCharsets.UTF_8);
  }

  /**
   * Plays the story; the endings of the two rollouts, in order (an ending's state is null after a
   * timeout).
   */
  public List<Ending> play() throws IOException, InterruptedException {
    out.println();
    out.println(
        "promptcanary demo: a scripted story against the real REST API at " + settings.api());
    out.println(
        "  three versions of a support prompt, an eval suite, and two rollouts under simulated users;");
    out.println(
        "  answers come from the model SIMULATOR at " + settings.model() + " (not a real model)");
    out.println();

    String prompt = freePromptName();
    say(
        "1. prompt '"
            + prompt
            + "': three versions, their [sim ...] markers set how the simulator answers");
    int v1 = createVersion(prompt, STABLE);
    int v2 = createVersion(prompt, BETTER);
    int v3 = createVersion(prompt, REGRESSED);

    JsonNode suite = api.post("/v1/eval-suites", JsonHttp.JSON.readTree(suiteJson()));
    say(
        "2. eval suite '"
            + suite.path("name").asText()
            + "' v"
            + suite.path("version").asInt()
            + " stored: "
            + SUITE_CASES.length
            + " cases (a judge assertion each), gate: pass rate >= 75%, mean judge score"
            + " >= 0.65, at most 0.10 below the baseline");

    TrafficDriver traffic =
        new TrafficDriver(
            app,
            model,
            new TrafficDriver.Options(
                prompt, settings.threads(), settings.sessionsPerSecond(), 1.0, settings.seed()));
    Ending better;
    Ending regressed;
    try {
      traffic.start();
      say(
          "3. traffic: "
              + settings.threads()
              + " threads, ~"
              + Math.round(settings.sessionsPerSecond())
              + " sessions/s; each session resolves its version (sticky per session), calls the simulator with that"
              + " version's content, reports the outcome and sends the transcript to the live judge (every answered"
              + " request, in both arms)");

      say(
          "4. rollout of v"
              + v2
              + " ("
              + BETTER.label()
              + ") against v"
              + v1
              + ": offline eval first, then 10% -> 50% of the traffic, then 100%");
      better = rollout(prompt, v2, true, "PROMOTED", traffic);
      say(
          "5. rollout of v"
              + v3
              + " ("
              + REGRESSED.label()
              + ") against v"
              + (better.asExpected() ? v2 : v1)
              + ": no eval suite this time (a 'quick fix'), straight to live traffic");
      regressed =
          better.state() == null
              ? new Ending(v3, null, "ROLLED_BACK", null, "not started: v" + v2 + " did not finish")
              : rollout(prompt, v3, false, "ROLLED_BACK", traffic);
    } finally {
      traffic.close();
    }
    summary(prompt, List.of(better, regressed), traffic);
    return List.of(better, regressed);
  }

  /**
   * {@code support-demo}, or {@code support-demo-N} when a reused data directory already has that
   * prompt.
   */
  private String freePromptName() throws IOException, InterruptedException {
    String name = PROMPT;
    for (int n = 2;
        api.send("GET", "/v1/prompts/" + name + "/versions", null).status() != 404;
        n++) {
      name = PROMPT + "-" + n;
    }
    if (!name.equals(PROMPT)) {
      say("(prompt '" + PROMPT + "' already exists in this data directory: using '" + name + "')");
    }
    return name;
  }

  private int createVersion(String prompt, Version version)
      throws IOException, InterruptedException {
    ObjectNode body =
        JsonHttp.JSON
            .createObjectNode()
            .put("systemPrompt", version.systemPrompt())
            .put("template", "Customer {{name}} (order {{order}}) asks: {{question}}")
            .put("model", "sim-model")
            .put("author", "demo");
    body.putArray("fewShot")
        .addObject()
        .put("user", "Customer Ana (order 100001) asks: Hello?")
        .put("assistant", "Hello Ana, how can I help you today?");
    body.putObject("parameters").put("temperature", 0.2);
    JsonNode created = api.post("/v1/prompts/" + prompt + "/versions", body);
    int number = created.path("version").asInt();
    String marker = version.systemPrompt().substring(0, version.systemPrompt().indexOf(']') + 1);
    say(
        "   v"
            + number
            + ": "
            + version.label()
            + (number == 1 ? " (becomes the stable version)" : "")
            + "  "
            + marker);
    return number;
  }

  private static final String[][] SUITE_CASES = {
    {"order-status", "Kim", "200101", "Where is my order?"},
    {"refund", "Ray", "200202", "Can I get a refund?"},
    {"password", "Noor", "200303", "How do I reset my password?"},
    {"address", "Ivo", "200404", "Can I change my delivery address?"}
  };

  static String suiteJson() {
    StringBuilder cases = new StringBuilder();
    for (String[] r : SUITE_CASES) {
      if (cases.length() > 0) {
        cases.append(",\n");
      }
      cases.append(
          """
          {"id": "%s", "variables": {"name": "%s", "order": "%s", "question": "%s"},
           "assertions": [{"type": "contains", "value": "%s"}, {"type": "max_length", "max": 600},
                          {"type": "judge", "rubric": "Is the answer helpful and polite?", "threshold": 0.6}]}"""
              .formatted(r[0], r[1], r[2], r[3], r[3]));
    }
    return """
        {"name": "%s", "author": "demo", "cases": [%s],
         "gate": {"minPassRate": 0.75, "minMeanJudgeScore": 0.65, "maxDropVsBaseline": 0.1}}"""
        .formatted(SUITE, cases);
  }

  private Ending rollout(
      String prompt, int version, boolean withEval, String expected, TrafficDriver traffic)
      throws IOException, InterruptedException {
    ObjectNode body =
        (ObjectNode)
            JsonHttp.JSON.readTree(
                """
        {"prompt": "%s", "candidateVersion": %d, "startedBy": "demo", "checkIntervalSeconds": 2,
         "inconclusivePolicy": "HOLD",
         "stages": [{"weightBp": 1000, "minJudgements": 40, "minBakeSeconds": 5, "maxBakeSeconds": 180},
                    {"weightBp": 5000, "minJudgements": 40, "minBakeSeconds": 5, "maxBakeSeconds": 180}],
         "gates": %s}"""
                    .formatted(prompt, version, DEMO_GATES));
    if (withEval) {
      body.put("evalSuite", SUITE);
    }
    JsonNode rollout = api.post("/v1/rollouts", body);
    String id = rollout.path("id").asText();
    say(
        "   started "
            + id
            + ": stages 10% then 50% (each: at least 40 judge scores per arm and 5 s),"
            + " gates: the defaults with the guardrail margins widened for a demo-sized sample");
    // The CLI's watch view follows the rollout: redrawn in place on a terminal, appended
    // snapshots in a log; the traffic's failures, if any, under it.
    RolloutWatch.Result watched;
    try {
      watched =
          new RolloutWatch(
                  watchApi,
                  watchOut,
                  new RolloutWatch.Options(
                      System.console() != null,
                      Duration.ofSeconds(1),
                      Duration.ofSeconds(10),
                      settings.timeout(),
                      WATCH_WIDTH),
                  () -> trafficLine(traffic))
              .watch(id);
    } catch (ApiError e) {
      throw new IOException("watching " + id + ": " + e.line(), e);
    }
    JsonNode last = watched.rollout();
    printTimeline(version, last);
    // The watch's own reading of the state: the live one, which may be final a look before the row.
    String state = WatchFrame.state(last);
    if (watched.exitCode() == PromptCanaryCli.TIMED_OUT) {
      say(
          "   v"
              + version
              + " still "
              + state
              + " after "
              + settings.timeout().toSeconds()
              + " s: giving up");
      return new Ending(
          version,
          id,
          expected,
          null,
          "still " + state + " after the timeout of " + settings.timeout().toSeconds() + " s");
    }
    if (!WatchFrame.isFinal(state)) {
      // Held for a person (e.g. a broken split): the demo does not step in, so it did not end.
      String why =
          "held: " + state + " (" + last.path("live").path("pauseReason").asText("?") + ")";
      say("   v" + version + " " + why);
      return new Ending(version, id, expected, null, why);
    }
    String reason = WatchFrame.endingReason(last);
    say("   v" + version + " " + state + ": " + reason);
    return new Ending(version, id, expected, state, reason);
  }

  /** The rollout's story once it is over: every entry but the plans and the verdicts. */
  private void printTimeline(int version, JsonNode rollout) {
    JsonNode timeline = rollout.path("live").path("timeline");
    if (!timeline.isArray() || timeline.isEmpty()) {
      timeline = rollout.path("checkpoint").path("timeline");
    }
    for (JsonNode entry : timeline) {
      String event = entry.path("event").asText();
      if (event.isEmpty() || event.equals("plan") || event.startsWith("verdict ")) {
        continue; // plans are about hours of production traffic; the watch showed the verdicts
      }
      say(
          "   v"
              + version
              + " timeline: "
              + event
              + " - "
              + abbreviate(entry.path("detail").asText(""), REASON_CHARS));
    }
  }

  private static List<String> trafficLine(TrafficDriver traffic) {
    if (traffic.failedCalls() == 0) {
      return List.of();
    }
    return List.of(
        "traffic: "
            + traffic.failedCalls()
            + " failed calls, last: "
            + abbreviate(String.valueOf(traffic.lastFailure()), 120));
  }

  private void summary(String prompt, List<Ending> endings, TrafficDriver traffic) {
    out.println();
    say("6. summary");
    for (Ending e : endings) {
      out.println(
          "final: v"
              + e.version()
              + " "
              + (e.state() == null ? "NOT_FINISHED" : e.state())
              + " (expected "
              + e.expected()
              + ", rollout "
              + (e.rolloutId() == null ? "not started" : e.rolloutId())
              + "): "
              + e.reason());
    }
    for (Map.Entry<Integer, TrafficDriver.VersionCounts> c : traffic.counts().entrySet()) {
      TrafficDriver.VersionCounts n = c.getValue();
      out.printf(
          Locale.ROOT,
          "traffic: v%d served %d sessions (%d errors, %d safety flags), %d transcripts judged%n",
          c.getKey(),
          n.sessions(),
          n.errors(),
          n.safetyFlags(),
          n.transcripts());
    }
    if (traffic.droppedTranscripts() > 0 || traffic.failedCalls() > 0) {
      out.println(
          "traffic: "
              + traffic.droppedTranscripts()
              + " transcripts dropped by the judge pool (queue full), "
              + traffic.failedCalls()
              + " failed calls"
              + (traffic.lastFailure() == null ? "" : ", last: " + traffic.lastFailure()));
    }
    out.println();
    out.println("where to look:");
    for (Ending e : endings) {
      if (e.rolloutId() != null) {
        out.println("  " + api.url("/v1/rollouts/" + e.rolloutId()) + "   (eval report: .../eval)");
      }
    }
    out.println(
        "  "
            + api.url("/v1/rollouts?prompt=" + prompt)
            + "   "
            + api.url("/v1/prompts/" + prompt + "/metrics"));
    String temporal = settings.temporalTarget();
    String ui = settings.temporalUiUrl();
    out.println(
        "  Temporal: each rollout is a PromptRollout workflow (workflow id = rollout id) on the embedded"
            + " server at "
            + temporal
            + (ui.isEmpty()
                ? " (namespace default, history in memory)."
                : " (namespace default), with its search attributes and history."));
    if (ui.isEmpty()) {
      out.println(
          "    Temporal UI is not embedded (Temporal's Java test server): point the temporal CLI or a"
              + " Temporal UI at "
              + temporal
              + " while the stack runs (--keep-running), e.g.");
    } else {
      out.println(
          "    Temporal UI, while the stack runs (--keep-running): "
              + ui
              + "/namespaces/default/workflows?query="
              + URLEncoder.encode("PromptName=\"" + prompt + "\"", StandardCharsets.UTF_8)
              + " , or the temporal CLI:");
    }
    out.println("    temporal workflow list --address " + temporal);
    endings.stream()
        .filter(e -> e.rolloutId() != null)
        .findFirst()
        .ifPresent(
            e ->
                out.println(
                    "    temporal workflow show --workflow-id "
                        + e.rolloutId()
                        + " --address "
                        + temporal));
    out.printf(Locale.ROOT, "the story took %.0f s%n", elapsedSeconds());
  }

  static String abbreviate(String s, int max) {
    String oneLine = s.replaceAll("\\s+", " ").trim();
    return oneLine.length() <= max ? oneLine : oneLine.substring(0, max - 1) + "…";
  }

  private double elapsedSeconds() {
    return (System.nanoTime() - started) / 1e9;
  }

  private void say(String text) {
    out.printf(Locale.ROOT, "[%5.1fs] %s%n", elapsedSeconds(), text);
    out.flush();
  }
}
