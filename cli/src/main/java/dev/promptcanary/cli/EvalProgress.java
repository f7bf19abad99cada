package dev.promptcanary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;

/**
 * Follows an eval run to its end, showing case runs done of the total: on a terminal one line
 * redrawn in place, otherwise a line appended whenever the count moves. A read that fails for a
 * moment (an API restarting) is retried, up to {@link RolloutWatch#MAX_FAILED_READS} in a row.
 */
final class EvalProgress {
  /** How it ended: the eval as last read, whether the wait timed out, and the exit code. */
  record Result(JsonNode eval, boolean timedOut) {
    int exitCode() {
      if (timedOut) {
        return PromptCanaryCli.TIMED_OUT;
      }
      return switch (eval.path("state").asText()) {
        case "PASSED" -> PromptCanaryCli.OK;
        case "FAILED" -> PromptCanaryCli.FAILED;
        default -> PromptCanaryCli.ERROR;
      };
    }
  }

  private final ApiClient api;
  private final PrintWriter out;
  private final boolean ansi;
  private final Duration interval;
  private final Duration timeout;

  EvalProgress(ApiClient api, PrintWriter out, boolean ansi, Duration interval, Duration timeout) {
    this.api = api;
    this.out = out;
    this.ansi = ansi;
    this.interval = interval;
    this.timeout = timeout;
  }

  Result follow(JsonNode started) throws ApiError, InterruptedException {
    long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
    String id = started.path("id").asText();
    out.println(EvalText.headline(started));
    out.flush();
    JsonNode last = started;
    int failedReads = 0;
    String shown = null;
    while (true) {
      boolean ended = !"RUNNING".equals(last.path("state").asText());
      String line = progressLine(last);
      if (ansi) {
        out.print("\r" + line + "\033[K" + (ended ? "\n" : ""));
        out.flush();
      } else if (!line.equals(shown)) {
        out.println(line);
        out.flush();
      }
      shown = line;
      if (ended) {
        return new Result(last, false);
      }
      if (System.nanoTime() > deadline) {
        if (ansi) {
          out.println();
        }
        return new Result(last, true);
      }
      Thread.sleep(interval.toMillis());
      try {
        last = api.get("/v1/evals/" + ApiClient.segment(id));
        failedReads = 0;
      } catch (ApiError e) {
        if ((e.status() >= 400 && e.status() < 500)
            || ++failedReads >= RolloutWatch.MAX_FAILED_READS) {
          throw e;
        }
      }
    }
  }

  static String progressLine(JsonNode eval) {
    JsonNode progress = eval.path("progress");
    int arms = eval.path("baselineVersion").isNumber() ? 2 : 1;
    return "case runs "
        + progress.path("done").asInt()
        + "/"
        + progress.path("total").asInt()
        + " done ("
        + eval.path("cases").size()
        + " cases x "
        + (arms == 2 ? "2 versions" : "1 version")
        + ")  "
        + eval.path("state").asText();
  }
}
