package dev.promptcanary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** How {@code eval run} shows an eval: its headline, each case per version, the arms, the gate. */
final class EvalText {
  private EvalText() {}

  /** {@code eval-ID support v3 against v1 on faq v2 RUNNING}. */
  static String headline(JsonNode eval) {
    return eval.path("id").asText()
        + "  "
        + eval.path("prompt").asText()
        + " v"
        + eval.path("candidateVersion").asInt()
        + (eval.path("baselineVersion").isNumber()
            ? " against v" + eval.path("baselineVersion").asInt()
            : " (no baseline)")
        + " on "
        + eval.path("suite").asText()
        + " v"
        + eval.path("suiteVersion").asInt()
        + "  "
        + eval.path("state").asText();
  }

  static List<String> render(JsonNode eval) {
    List<String> lines = new ArrayList<>();
    lines.add(headline(eval));
    boolean withBaseline = eval.path("baselineVersion").isNumber();
    List<List<String>> rows = new ArrayList<>();
    for (JsonNode c : eval.path("cases")) {
      List<String> row = new ArrayList<>();
      row.add(c.path("id").asText());
      row.add(outcome(c.path("candidate")));
      if (withBaseline) {
        row.add(outcome(c.path("baseline")));
      }
      row.add(String.join("; ", failedAssertions(c.path("candidate"))));
      rows.add(row);
    }
    List<String> header =
        withBaseline
            ? List.of(
                "CASE",
                "CANDIDATE v" + eval.path("candidateVersion").asInt(),
                "BASELINE v" + eval.path("baselineVersion").asInt(),
                "FAILED (CANDIDATE)")
            : List.of(
                "CASE",
                "CANDIDATE v" + eval.path("candidateVersion").asInt(),
                "FAILED (CANDIDATE)");
    Text.table(header, rows).forEach(l -> lines.add("  " + l));
    lines.add(arm("candidate", eval.path("candidate")));
    if (withBaseline) {
      lines.add(arm("baseline ", eval.path("baseline")));
    }
    String state = eval.path("state").asText();
    String reason = Text.text(eval, "reason", "");
    lines.add(
        switch (state) {
          case "PASSED" -> "gate PASSED: " + reason;
          case "FAILED" -> "gate FAILED: " + reason;
          case "ERROR" -> "gate not decided (ERROR): " + reason;
          default -> "gate not decided yet (" + state + ")";
        });
    return lines;
  }

  /** {@code pass 0.92}, {@code FAIL 0.30}, {@code -} when the case has not run on that version. */
  static String outcome(JsonNode result) {
    if (result.isMissingNode() || result.isNull()) {
      return "-";
    }
    String score =
        result.path("judgeScore").isNumber()
            ? String.format(Locale.ROOT, " %.2f", result.path("judgeScore").asDouble())
            : "";
    return (result.path("passed").asBoolean() ? "pass" : "FAIL") + score;
  }

  /** Each failed assertion as {@code type: detail}. */
  static List<String> failedAssertions(JsonNode result) {
    List<String> failed = new ArrayList<>();
    for (JsonNode a : result.path("assertions")) {
      if (!a.path("passed").asBoolean()) {
        String detail = Text.text(a, "detail", "");
        failed.add(a.path("type").asText() + (detail.isEmpty() ? "" : ": " + detail));
      }
    }
    return failed;
  }

  private static String arm(String label, JsonNode stats) {
    String line =
        label
            + " v"
            + stats.path("version").asInt()
            + ": "
            + stats.path("passed").asInt()
            + "/"
            + stats.path("cases").asInt()
            + " passed ("
            + String.format(Locale.ROOT, "%.1f%%", stats.path("passRate").asDouble() * 100)
            + ")";
    if (stats.path("meanJudgeScore").isNumber()) {
      line +=
          String.format(
              Locale.ROOT, ", mean judge score %.2f", stats.path("meanJudgeScore").asDouble());
    }
    return line + String.format(Locale.ROOT, ", cost $%.4f", stats.path("cost").asDouble());
  }
}
