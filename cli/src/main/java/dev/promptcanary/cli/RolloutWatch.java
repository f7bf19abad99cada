package dev.promptcanary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The live view of {@code rollout watch}: reads the rollout every {@code interval} and shows {@link
 * WatchFrame}. On a terminal ({@code ansi}) the frame is redrawn in place; otherwise (a pipe, a
 * file, a CI log) a snapshot is appended whenever something a reader cares about changed (state,
 * stage, weight, a decision, a timeline entry) and at least every {@code plainEvery}, so a log
 * stays readable. Ends with the rollout ({@link WatchFrame#outcome}), at {@code timeout}, or after
 * {@link #MAX_FAILED_READS} failed reads in a row.
 */
public final class RolloutWatch {
  /** Reads that may fail in a row (an API restarting) before the watch gives up. */
  static final int MAX_FAILED_READS = 10;

  /** How the view is drawn. {@code timeout} null: no limit. */
  public record Options(
      boolean ansi, Duration interval, Duration plainEvery, Duration timeout, int width) {}

  /** How a watch ended: the exit code, and the last answer read (null when none was). */
  public record Result(int exitCode, JsonNode rollout) {}

  private final ApiClient api;
  private final PrintWriter out;
  private final Options options;
  private final Supplier<List<String>> footer;

  /**
   * @param footer lines shown under the frame (the demo's traffic counters), or null
   */
  public RolloutWatch(
      ApiClient api, PrintWriter out, Options options, Supplier<List<String>> footer) {
    this.api = api;
    this.out = out;
    this.options = options;
    this.footer = footer;
  }

  public Result watch(String id) throws ApiError, InterruptedException {
    long deadline =
        options.timeout() == null
            ? Long.MAX_VALUE
            : System.nanoTime() + options.timeout().toNanos();
    JsonNode last = null;
    ApiError failure = null;
    int failedReads = 0;
    int drawnLines = 0;
    String lastKey = null;
    long lastPlain = 0;
    while (true) {
      try {
        last = api.get("/v1/rollouts/" + ApiClient.segment(id));
        failure = null;
        failedReads = 0;
      } catch (ApiError e) {
        // A rollout that does not exist (or a key that may not read it) will not start to.
        if (last == null
            || (e.status() >= 400 && e.status() < 500)
            || ++failedReads >= MAX_FAILED_READS) {
          throw e;
        }
        failure = e;
      }
      WatchFrame.Outcome outcome = WatchFrame.outcome(last);
      boolean timedOut = outcome == WatchFrame.Outcome.RUNNING && System.nanoTime() > deadline;
      List<String> lines = new ArrayList<>(WatchFrame.render(last, options.width()));
      if (footer != null) {
        footer.get().forEach(l -> lines.add(Text.abbreviate(l, options.width())));
      }
      if (failure != null) {
        lines.add(
            Text.abbreviate(
                "read failed (" + failedReads + "): " + failure.line(), options.width()));
      }
      if (timedOut) {
        lines.add(
            "still "
                + WatchFrame.state(last)
                + " after "
                + options.timeout().toSeconds()
                + " s: not watching any longer");
      } else if (outcome == WatchFrame.Outcome.HELD) {
        lines.add("held: it needs a person (resume, approve, abort or bypass)");
      }
      boolean ends = outcome != WatchFrame.Outcome.RUNNING || timedOut;
      if (options.ansi()) {
        drawnLines = redraw(lines, drawnLines);
      } else {
        String key = key(last);
        long now = System.nanoTime();
        if (ends || !key.equals(lastKey) || now - lastPlain >= options.plainEvery().toNanos()) {
          out.println("--- " + Instant.now().toString().substring(11, 19) + "Z");
          lines.forEach(out::println);
          out.flush();
          lastKey = key;
          lastPlain = now;
        }
      }
      if (timedOut) {
        return new Result(PromptCanaryCli.TIMED_OUT, last);
      }
      if (ends) {
        return new Result(outcome.exitCode, last);
      }
      Thread.sleep(options.interval().toMillis());
    }
  }

  /** Moves the cursor back over the last frame and draws this one, clearing what it leaves. */
  private int redraw(List<String> lines, int previous) {
    StringBuilder frame = new StringBuilder();
    if (previous > 0) {
      frame.append("\033[").append(previous).append('F');
    }
    for (String line : lines) {
      frame.append(line).append("\033[K\n");
    }
    frame.append("\033[J");
    out.print(frame);
    out.flush();
    return lines.size();
  }

  /** What a plain snapshot is worth appending for: everything but the counters. */
  static String key(JsonNode rollout) {
    JsonNode live = rollout.path("live");
    StringBuilder key =
        new StringBuilder(WatchFrame.state(rollout))
            .append('|')
            .append(live.path("stage").asInt(rollout.path("stage").asInt()))
            .append('|')
            .append(live.path("canaryWeightBp").asInt(rollout.path("canaryWeightBp").asInt()))
            .append('|')
            .append(WatchFrame.timeline(rollout).size());
    for (JsonNode v : live.path("lastVerdicts")) {
      key.append('|').append(v.path("gate").asText()).append(v.path("decision").asText());
    }
    return key.toString();
  }
}
