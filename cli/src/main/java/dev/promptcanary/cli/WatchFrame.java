package dev.promptcanary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One frame of {@code rollout watch} (and the view of {@code rollout status}), drawn from the JSON
 * of {@code GET /v1/rollouts/{id}} alone: the live progress while the rollout runs, its checkpoint
 * once it ended. Plain ASCII, so it reads the same in a terminal, a CI log and a file.
 */
public final class WatchFrame {
  static final int BAR = 20;
  static final int AXIS = 21;
  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

  private WatchFrame() {}

  /** What a watch does next, read from one answer. */
  public enum Outcome {
    RUNNING(-1),
    PROMOTED(PromptCanaryCli.OK),
    FAILED(PromptCanaryCli.FAILED),
    HELD(PromptCanaryCli.HELD);

    public final int exitCode;

    Outcome(int exitCode) {
      this.exitCode = exitCode;
    }
  }

  /**
   * PROMOTED/BYPASSED end well, ROLLED_BACK/ABORTED/EVAL_BLOCKED badly; a rollout the system held
   * (paused for any reason but a person's pause) or one waiting for an approval needs a person. A
   * person's own pause keeps the watch going: that person resumes it.
   */
  public static Outcome outcome(JsonNode rollout) {
    String state = state(rollout);
    return switch (state) {
      case "PROMOTED", "BYPASSED" -> Outcome.PROMOTED;
      case "ROLLED_BACK", "ABORTED", "EVAL_BLOCKED" -> Outcome.FAILED;
      case "AWAITING_APPROVAL" -> Outcome.HELD;
      case "PAUSED" -> "USER".equals(pauseReason(rollout)) ? Outcome.RUNNING : Outcome.HELD;
      default -> Outcome.RUNNING;
    };
  }

  /** The live state when the workflow answered, else the read model's. */
  public static String state(JsonNode rollout) {
    JsonNode live = rollout.path("live");
    String row = rollout.path("state").asText("");
    // The row is written when a rollout ends; the live answer may lag a final row by a look.
    if (live.isObject() && !isFinal(row)) {
      return live.path("state").asText(row);
    }
    return row;
  }

  /** Whether a rollout in {@code state} has ended: no control or look changes it any more. */
  public static boolean isFinal(String state) {
    return switch (state) {
      case "EVAL_BLOCKED", "PROMOTED", "BYPASSED", "ROLLED_BACK", "ABORTED" -> true;
      default -> false;
    };
  }

  /**
   * Why an ended rollout ended: the row's reason, else (a control's ending has no reason on the
   * row, and the row may lag the live answer by a look) the last timeline entry's detail.
   */
  public static String endingReason(JsonNode rollout) {
    String reason = Text.text(rollout, "reason", "");
    JsonNode last = lastEvent(timeline(rollout));
    if ((reason.isBlank() || !isFinal(rollout.path("state").asText(""))) && last != null) {
      return last.path("detail").asText(reason);
    }
    return reason;
  }

  static String pauseReason(JsonNode rollout) {
    JsonNode live = rollout.path("live");
    JsonNode reason =
        live.isObject() ? live.path("pauseReason") : rollout.path("checkpoint").path("pauseReason");
    return reason.isTextual() ? reason.asText() : null;
  }

  /** The frame's lines, each at most {@code width} characters. */
  public static List<String> render(JsonNode rollout, int width) {
    List<String> lines = new ArrayList<>();
    JsonNode live = rollout.path("live");
    JsonNode checkpoint = rollout.path("checkpoint");
    boolean hasLive = live.isObject();
    String state = state(rollout);
    String pause = pauseReason(rollout);
    JsonNode stages = rollout.path("spec").path("stages");
    int stageCount = hasLive ? live.path("stageCount").asInt(stages.size()) : stages.size();
    int stage = hasLive ? live.path("stage").asInt() : rollout.path("stage").asInt();
    long weight =
        hasLive ? live.path("canaryWeightBp").asLong() : rollout.path("canaryWeightBp").asLong();

    lines.add(
        rollout.path("id").asText()
            + "  "
            + rollout.path("prompt").asText()
            + ": v"
            + rollout.path("candidateVersion").asInt()
            + " (canary) against v"
            + rollout.path("baselineVersion").asInt()
            + " (stable)  "
            + state
            + (pause != null && "PAUSED".equals(state) ? " (" + pause + ")" : ""));

    List<String> plan = new ArrayList<>();
    for (JsonNode s : stages) {
      plan.add(Text.percent(s.path("weightBp").asLong()));
    }
    String stageLine =
        isFinal(state)
            ? "ended at "
                + Text.percent(weight)
                + " after stage "
                + Math.max(stage, 0)
                + "/"
                + stageCount
            : "PENDING_EVAL".equals(state)
                ? "offline eval of suite '"
                    + Text.text(rollout.path("spec"), "evalSuite", "?")
                    + "' running; then stage 1/"
                    + stageCount
                : "stage " + stage + "/" + stageCount + " at " + Text.percent(weight);
    lines.add(stageLine + "   (stages " + String.join(" -> ", plan) + ")" + startedBy(rollout));

    JsonNode current = stage >= 1 && stage <= stages.size() ? stages.get(stage - 1) : null;
    if (hasLive && !"PENDING_EVAL".equals(state) && !isFinal(state)) {
      int needs = current == null ? 0 : current.path("minJudgements").asInt();
      lines.add(
          arm(
              "canary",
              live.path("canaryJudgements").asLong(),
              needs,
              live.path("canaryObservations").asLong()));
      lines.add(
          arm(
              "stable",
              Text.count(live, "stableJudgements", "baselineJudgements"),
              needs,
              Text.count(live, "stableObservations", "baselineObservations")));
      if (current != null) {
        lines.add(
            "         bake at least "
                + duration(current.path("minBakeSeconds").asLong())
                + ", at most "
                + duration(current.path("maxBakeSeconds").asLong())
                + " before its inconclusive policy ("
                + Text.text(rollout.path("spec"), "inconclusivePolicy", "?")
                + ")");
      }
      String estimate = planNote(timeline(rollout), stage);
      if (estimate != null) {
        lines.add("plan     " + estimate);
      }
    } else if (!hasLive && !isFinal(state) && rollout.hasNonNull("liveUnavailable")) {
      lines.add("live progress unavailable: " + rollout.path("liveUnavailable").asText());
    }

    JsonNode verdicts = hasLive ? live.path("lastVerdicts") : checkpoint.path("lastVerdicts");
    JsonNode overall = null;
    List<List<String>> rows = new ArrayList<>();
    for (JsonNode v : verdicts) {
      if ("OVERALL".equals(v.path("gate").asText())) {
        overall = v;
        continue;
      }
      String gate = v.path("gate").asText();
      if (v.hasNonNull("metric")) {
        gate += " " + v.path("metric").asText();
      }
      rows.add(
          List.of(
              gate,
              v.path("canaryN").asLong() + "/" + Text.count(v, "stableN", "baselineN"),
              Text.signed(v.path("estimate").asDouble()),
              "["
                  + Text.signed(v.path("lower").asDouble())
                  + ", "
                  + Text.signed(v.path("upper").asDouble())
                  + "]",
              Text.signed(v.path("threshold").asDouble()),
              axis(
                  v.path("estimate").asDouble(),
                  v.path("lower").asDouble(),
                  v.path("upper").asDouble(),
                  v.path("threshold").asDouble()),
              v.path("decision").asText()));
    }
    if (!rows.isEmpty()) {
      lines.add(
          "gates (estimate and always-valid bounds against the margin; axis: [=*=] bounds,"
              + " | margin, 0 zero)");
      for (String row :
          Text.table(
              List.of(
                  "  gate", "n canary/stable", "estimate", "bounds", "margin", "axis", "decision"),
              rows.stream()
                  .map(
                      r -> {
                        List<String> indented = new ArrayList<>(r);
                        indented.set(0, "  " + r.get(0));
                        return (List<String>) indented;
                      })
                  .toList())) {
        lines.add(row);
      }
    }

    JsonNode last = lastEvent(timeline(rollout));
    if (isFinal(state)) {
      lines.add("decision " + state + ": " + endingReason(rollout));
    } else if (overall != null) {
      lines.add(
          "decision " + overall.path("decision").asText() + ": " + overall.path("reason").asText());
    } else if ("PAUSED".equals(state) && rollout.hasNonNull("reason")) {
      lines.add("decision PAUSED: " + rollout.path("reason").asText());
    }
    if (last != null) {
      lines.add(
          "last     "
              + clock(last.path("atMillis").asLong())
              + " "
              + last.path("event").asText()
              + ": "
              + last.path("detail").asText(""));
    }
    return lines.stream().map(l -> Text.abbreviate(l, width)).toList();
  }

  private static String startedBy(JsonNode rollout) {
    String by = Text.text(rollout.path("spec"), "startedBy", null);
    String at = Text.text(rollout, "createdAt", null);
    if (by == null && at == null) {
      return "";
    }
    return "   started" + (at == null ? "" : " " + at) + (by == null ? "" : " by " + by);
  }

  /** {@code judged canary [#####...............] 12/40 requests 230}. */
  static String arm(String name, long judged, int needs, long requests) {
    int filled = needs <= 0 ? BAR : (int) Math.min(BAR, Math.floorDiv(judged * BAR, (long) needs));
    return String.format(
        Locale.ROOT,
        "judged   %s [%s%s] %5d/%-5d requests %d",
        name,
        "#".repeat(filled),
        ".".repeat(BAR - filled),
        judged,
        needs,
        requests);
  }

  /**
   * The bounds, the estimate, the margin and zero on one axis of {@link #AXIS} characters, so the
   * reason for a decision shows at a glance: {@code ...|..[==*==]..0...}.
   */
  static String axis(double estimate, double lower, double upper, double threshold) {
    double[] xs = {estimate, lower, upper, threshold, 0};
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double x : xs) {
      if (Text.bounded(x)) {
        min = Math.min(min, x);
        max = Math.max(max, x);
      }
    }
    if (!(max > min)) {
      return "";
    }
    char[] line = ".".repeat(AXIS).toCharArray();
    int lo = at(lower, min, max, 0);
    int hi = at(upper, min, max, AXIS - 1);
    for (int i = lo; i <= hi; i++) {
      line[i] = '=';
    }
    line[lo] = '[';
    line[hi] = ']';
    line[at(0, min, max, 0)] = '0';
    if (Text.bounded(estimate)) {
      line[at(estimate, min, max, 0)] = '*';
    }
    line[at(threshold, min, max, 0)] = '|';
    return new String(line);
  }

  private static int at(double x, double min, double max, int whenInfinite) {
    if (!Text.bounded(x)) {
      return whenInfinite;
    }
    return (int) Math.round((x - min) / (max - min) * (AXIS - 1));
  }

  static JsonNode timeline(JsonNode rollout) {
    JsonNode live = rollout.path("live").path("timeline");
    return live.isArray() && !live.isEmpty() ? live : rollout.path("checkpoint").path("timeline");
  }

  /**
   * The planner's latest word on the stage, with its time: its note for this stage at the start
   * ({@code stage N: ...}), a note about every stage (no traffic yet), or a later re-plan. The note
   * on which judge counts is not a plan of time and is left out.
   */
  static String planNote(JsonNode timeline, int stage) {
    String note = null;
    for (JsonNode e : timeline) {
      if (!"plan".equals(e.path("event").asText())) {
        continue;
      }
      String detail = e.path("detail").asText("");
      boolean otherStage =
          detail.matches("^stage \\d+:.*") && !detail.startsWith("stage " + stage + ":");
      if (!otherStage && !detail.startsWith("quality counts")) {
        note = clock(e.path("atMillis").asLong()) + " " + detail;
      }
    }
    return note;
  }

  /** The newest entry of the rollout's story that is not a plan or a verdict line. */
  static JsonNode lastEvent(JsonNode timeline) {
    JsonNode last = null;
    for (JsonNode e : timeline) {
      String event = e.path("event").asText("");
      if (!event.equals("plan") && !event.startsWith("verdict")) {
        last = e;
      }
    }
    return last;
  }

  static String clock(long millis) {
    return CLOCK.format(Instant.ofEpochMilli(millis));
  }

  static String duration(long seconds) {
    if (seconds < 120) {
      return seconds + " s";
    }
    if (seconds < 7200) {
      return (seconds / 60) + " min";
    }
    return String.format(Locale.ROOT, "%.1f h", seconds / 3600.0);
  }
}
