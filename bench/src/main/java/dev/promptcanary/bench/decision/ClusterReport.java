package dev.promptcanary.bench.decision;

import dev.promptcanary.workflows.domain.GateKind;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/** The table rows of the clustered scenarios (engine only). */
final class ClusterReport {
  private ClusterReport() {}

  static String header() {
    return String.format(
        Locale.ROOT,
        "%-20s %7s %7s %7s %7s %7s %8s %8s %7s %7s %7s %8s %-22s %6s",
        "clustered",
        "rollbk",
        "promote",
        "srm",
        "held",
        "judge",
        "falseRB",
        "missed",
        "med n",
        "p90 n",
        "med unt",
        "mean nRB",
        "rolled back by",
        "secs");
  }

  static String row(ClusterScenario s, MethodStats m, double seconds) {
    return String.format(
        Locale.ROOT,
        "%-20s %7.4f %7.4f %7.4f %7.4f %7.4f %8s %8s %7s %7s %7s %8s %-22s %6.1f",
        columns(s, m, seconds, UnaryOperator.identity()));
  }

  static String markdownHeader() {
    return "| scenario | rollback | promote | SRM | held | judge hold | false RB | missed |"
        + " median n | p90 n | median units to promote | mean n to RB | rolled back by (share of runs) | seconds |\n"
        + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  }

  static String markdownRow(ClusterScenario s, MethodStats m, double seconds) {
    return String.format(
        Locale.ROOT,
        "| %s | %.4f | %.4f | %.4f | %.4f | %.4f | %s | %s | %s | %s | %s | %s | %s | %.1f |%n",
        columns(s, m, seconds, DecisionQualityBench::dash));
  }

  /** The values of one row, in column order, each text column passed through {@code text}. */
  private static Object[] columns(
      ClusterScenario s, MethodStats m, double seconds, UnaryOperator<String> text) {
    return new Object[] {
      s.name(),
      m.share(Action.ROLLBACK),
      m.share(Action.PROMOTE),
      m.share(Action.BLOCKED),
      m.share(Action.HELD),
      m.share(Action.JUDGE_HOLD),
      text.apply(pct(m.falseRollback())),
      text.apply(pct(m.missedRegression())),
      text.apply(num(MethodStats.quantile(m.decidedSamples, 0.5))),
      text.apply(num(MethodStats.quantile(m.decidedSamples, 0.9))),
      text.apply(num(MethodStats.quantile(m.promoteUnits, 0.5))),
      text.apply(num(MethodStats.mean(m.rollbackSamples))),
      text.apply(gates(m)),
      seconds
    };
  }

  /** e.g. "latency .012 quality .020": the share of runs each gate rolled back (some overlap). */
  static String gates(MethodStats m) {
    StringBuilder b = new StringBuilder();
    for (GateKind k : GateKind.values()) {
      double share = m.rollbackShareByGate(k.ordinal());
      if (share > 0) {
        b.append(b.length() == 0 ? "" : " ")
            .append(shortName(k))
            .append(String.format(Locale.ROOT, " %.3f", share).replace(" 0.", " ."));
      }
    }
    return b.length() == 0 ? "-" : b.toString();
  }

  static Map<String, Object> byGate(MethodStats m) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (GateKind k : GateKind.values()) {
      double share = m.rollbackShareByGate(k.ordinal());
      if (share > 0) {
        out.put(k.name().toLowerCase(Locale.ROOT), share);
      }
    }
    return out;
  }

  private static String shortName(GateKind k) {
    return switch (k.name()) {
      case "QUALITY" -> "qual";
      case "ERROR_RATE" -> "err";
      case "SAFETY_RATE" -> "safe";
      case "LATENCY" -> "lat";
      default -> k.name().toLowerCase(Locale.ROOT);
    };
  }

  private static String pct(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
  }

  private static String num(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.0f", v);
  }
}
