package dev.promptcanary.bench.decision;

import dev.promptcanary.workflows.domain.GateKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoublePredicate;

/** The headline figures of issue 10 and its targets, each PASS or MISS. */
final class Targets {
  private Targets() {}

  /**
   * One target: what, the figure, the bound and whether it holds. {@code result} is PASS, MISS or
   * "not run" (scenario filtered out).
   */
  record Check(String target, String key, String measured, String result) {}

  static Map<String, Object> clusteredHeadlines(
      Map<String, Map<String, MethodStats>> iid, Map<String, MethodStats> clustered) {
    Map<String, Object> h = new LinkedHashMap<>();
    double worstRb = Double.NaN;
    String worstRbName = null;
    double worstSrm = Double.NaN;
    String worstSrmName = null;
    double worstJudge = Double.NaN;
    String worstJudgeName = null;
    for (Map.Entry<String, MethodStats> e : clustered.entrySet()) {
      MethodStats m = e.getValue();
      if (m.truth == Truth.NO_REGRESSION) {
        if (!(m.falseRollback() <= worstRb)) {
          worstRb = m.falseRollback();
          worstRbName = e.getKey();
        }
        if (!(m.share(Action.BLOCKED) <= worstSrm)) {
          worstSrm = m.share(Action.BLOCKED);
          worstSrmName = e.getKey();
        }
        if (!(m.share(Action.JUDGE_HOLD) <= worstJudge)) {
          worstJudge = m.share(Action.JUDGE_HOLD);
          worstJudgeName = e.getKey();
        }
      }
    }
    for (Map.Entry<String, Map<String, MethodStats>> e : iid.entrySet()) {
      MethodStats m = e.getValue().get("engine");
      if (m.truth == Truth.NO_REGRESSION && !(m.share(Action.BLOCKED) <= worstSrm)) {
        worstSrm = m.share(Action.BLOCKED);
        worstSrmName = e.getKey();
      }
    }
    h.put("aa_false_rollback_clustered", nullIfNaN(worstRb));
    h.put("aa_false_rollback_clustered_scenario", worstRbName);
    h.put("aa_false_srm", nullIfNaN(worstSrm));
    h.put("aa_false_srm_scenario", worstSrmName);
    h.put("aa_judge_hold_clustered", nullIfNaN(worstJudge));
    h.put("aa_judge_hold_clustered_scenario", worstJudgeName);
    MethodStats late = clustered.get("cl_aa_stages_late");
    MethodStats onTime = clustered.get("cl_aa_stages");
    h.put("late_judge_false_hold", late == null ? null : hold(late));
    h.put("late_judge_false_rollback", late == null ? null : late.share(Action.ROLLBACK));
    h.put("on_time_judge_false_hold", onTime == null ? null : hold(onTime));
    h.put("on_time_judge_false_rollback", onTime == null ? null : onTime.share(Action.ROLLBACK));
    MethodStats aa = iid.containsKey("aa_sd02") ? iid.get("aa_sd02").get("engine") : null;
    h.put(
        "aa_median_samples_to_promote",
        aa == null ? null : nullIfNaN(MethodStats.quantile(aa.promoteSamples, 0.5)));
    h.put("power_drop_005_clustered", power(clustered.get("cl_drop_005")));
    h.put("power_drop_010_clustered", power(clustered.get("cl_drop_010")));
    h.put("latency_median20_power", power(clustered.get("cl_latency_median20")));
    h.put("latency_p99x15_power", power(clustered.get("cl_latency_p99x15")));
    MethodStats narrow = clustered.get("cl_latency_narrow");
    h.put(
        "latency_narrow_rollback_by_latency",
        narrow == null ? null : narrow.rollbackShareByGate(GateKind.LATENCY.ordinal()));
    h.put("error_x3_base01_power", power(clustered.get("cl_error_x3_base01")));
    MethodStats srm = clustered.get("cl_srm_2pt");
    h.put("srm_clustered_promoted_share", srm == null ? null : srm.share(Action.PROMOTE));
    h.put("srm_clustered_blocked_share", srm == null ? null : srm.share(Action.BLOCKED));
    return h;
  }

  /** Held at the horizon or by the judge-health check. */
  static double hold(MethodStats m) {
    return m.share(Action.HELD) + m.share(Action.JUDGE_HOLD);
  }

  private static Object power(MethodStats m) {
    return m == null ? null : m.share(Action.ROLLBACK);
  }

  static List<Check> checks(
      Map<String, Object> json,
      Map<String, Map<String, MethodStats>> iid,
      Map<String, MethodStats> clustered) {
    int runs = runs(iid, clustered);
    List<Check> c = new ArrayList<>();
    c.add(
        atMost(
            "A/A family-wise false rollback, every one-request A/A",
            json,
            "aa_false_rollback",
            0.05,
            runs));
    c.add(
        atMost(
            "A/A family-wise false rollback, every clustered A/A",
            json,
            "aa_false_rollback_clustered",
            0.05,
            runs));
    c.add(
        atMost(
            "A/A false SRM (held or rolled back for SRM), every A/A",
            json,
            "aa_false_srm",
            0.01,
            runs));
    c.add(
        atLeast(
            "power for a 0.05 drop, one request per session (sd 0.2)",
            json,
            "power_drop_005",
            0.95,
            runs));
    c.add(
        atLeast(
            "power for a 0.05 drop, clustered (sd 0.2)",
            json,
            "power_drop_005_clustered",
            0.95,
            runs));
    c.add(
        samples(
            "identical canary promoted, median samples per arm (iid, sd 0.2, 1% errors)",
            json, "aa_median_samples_to_promote", 450));
    c.add(samples("0.10 drop, median samples per arm", json, "median_samples_drop_010", 70));
    c.add(atLeast("latency median +20% caught", json, "latency_median20_power", 0.90, runs));
    c.add(atLeast("latency p99 +50% caught", json, "latency_p99x15_power", 0.90, runs));
    c.add(narrow(json, clustered, runs));
    c.add(
        atLeast(
            "x3 error rate at a 0.1% base caught (" + GateVariants.RARE_ERROR_NAME + ")",
            json,
            "error_x3_base01_power",
            0.80,
            runs));
    c.add(never("2-point SRM never promoted, one request per session", json, "srm_promoted_share"));
    c.add(never("2-point SRM never promoted, clustered", json, "srm_clustered_promoted_share"));
    c.add(late(json, runs, "late_judge_false_hold", "on_time_judge_false_hold", "held"));
    c.add(
        late(
            json,
            runs,
            "late_judge_false_rollback",
            "on_time_judge_false_rollback",
            "rolled back"));
    Object f = json.get("planner_worst_factor");
    c.add(
        f instanceof Number n
            ? new Check(
                "planner estimate within x1.5 of the simulated median samples per stage, every single-stage A/A",
                "planner_worst_factor",
                String.format(Locale.ROOT, "x%.2f (worst)", n.doubleValue()),
                n.doubleValue() <= PlannerCheck.FACTOR ? "PASS" : "MISS")
            : new Check(
                "planner estimate within x1.5 of the simulated median",
                "planner_worst_factor",
                "-",
                "not run"));
    return c;
  }

  private static int runs(
      Map<String, Map<String, MethodStats>> iid, Map<String, MethodStats> clustered) {
    for (MethodStats m : clustered.values()) {
      return m.runs;
    }
    for (Map<String, MethodStats> m : iid.values()) {
      return m.get("engine").runs;
    }
    return 1;
  }

  private static Check atMost(
      String what, Map<String, Object> json, String key, double bound, int runs) {
    return bounded(what + " <= " + bound, json, key, runs, x -> x <= bound);
  }

  private static Check atLeast(
      String what, Map<String, Object> json, String key, double bound, int runs) {
    return bounded(what + " >= " + bound, json, key, runs, x -> x >= bound);
  }

  /** A share-of-runs target: "not run" when the run did not measure {@code key}. */
  private static Check bounded(
      String target, Map<String, Object> json, String key, int runs, DoublePredicate passes) {
    Object v = json.get(key);
    if (!(v instanceof Number n)) {
      return new Check(target, key, "-", "not run");
    }
    double x = n.doubleValue();
    return new Check(target, key, share(x, runs), passes.test(x) ? "PASS" : "MISS");
  }

  private static Check samples(String what, Map<String, Object> json, String key, double bound) {
    Object v = json.get(key);
    if (!(v instanceof Number n)) {
      return new Check(what + " <= " + (int) bound, key, "-", "not run");
    }
    double x = n.doubleValue();
    return new Check(
        what + " <= " + (int) bound,
        key,
        String.format(Locale.ROOT, "%.0f", x),
        x <= bound ? "PASS" : "MISS");
  }

  private static Check never(String what, Map<String, Object> json, String key) {
    Object v = json.get(key);
    if (!(v instanceof Number n)) {
      return new Check(what, key, "-", "not run");
    }
    double x = n.doubleValue();
    return new Check(what, key, String.format(Locale.ROOT, "%.4f", x), x == 0 ? "PASS" : "MISS");
  }

  /** The latency gate's own alpha, with two binomial standard errors of slack at this run count. */
  private static Check narrow(
      Map<String, Object> json, Map<String, MethodStats> clustered, int runs) {
    String what = "same-p95 narrower canary rolled back by latency <= the latency gate's alpha";
    Object v = json.get("latency_narrow_rollback_by_latency");
    if (!(v instanceof Number n)) {
      return new Check(what, "latency_narrow_rollback_by_latency", "-", "not run");
    }
    double alpha = 0.00125;
    Object a = json.get("latency_narrow_alpha");
    if (a instanceof Number an) {
      alpha = an.doubleValue();
    }
    double x = n.doubleValue();
    double slack = 2 * Math.sqrt(alpha * (1 - alpha) / runs);
    return new Check(
        what + String.format(Locale.ROOT, " (%.5f, +2 SE %.4f)", alpha, slack),
        "latency_narrow_rollback_by_latency",
        share(x, runs),
        x <= alpha + slack ? "PASS" : "MISS");
  }

  /**
   * Late scores: no more holds (rollbacks) than on time, up to two standard errors of the
   * difference.
   */
  private static Check late(
      Map<String, Object> json, int runs, String lateKey, String onTimeKey, String what) {
    String target = "judge scores 1-10 min late: " + what + " no more than on time";
    if (!(json.get(lateKey) instanceof Number l) || !(json.get(onTimeKey) instanceof Number o)) {
      return new Check(target, lateKey, "-", "not run");
    }
    double x = l.doubleValue();
    double y = o.doubleValue();
    double se = Math.sqrt((x * (1 - x) + y * (1 - y)) / runs);
    String measured =
        String.format(Locale.ROOT, "%s vs %s on time", share(x, runs), share(y, runs));
    return new Check(target + " (+2 SE)", lateKey, measured, x <= y + 2 * se ? "PASS" : "MISS");
  }

  static String share(double x, int runs) {
    return String.format(Locale.ROOT, "%.4f ± %.4f", x, Math.sqrt(x * (1 - x) / runs));
  }

  static String table(List<Check> checks) {
    StringBuilder b = new StringBuilder("targets (± one binomial standard error):\n");
    for (Check c : checks) {
      b.append(
          String.format(
              Locale.ROOT,
              "  %-6s %-34s %-26s %s%n",
              c.result().startsWith("not") ? "-" : c.result(),
              c.key(),
              c.measured(),
              c.target() + (c.result().startsWith("not") ? " [" + c.result() + "]" : "")));
    }
    return b.toString();
  }

  static String markdown(List<Check> checks) {
    StringBuilder b =
        new StringBuilder(
            "| target | JSON key | measured (± 1 SE) | result |\n|---|---|---|---|\n");
    for (Check c : checks) {
      b.append("| ")
          .append(c.target())
          .append(" | `")
          .append(c.key())
          .append("` | ")
          .append(c.measured())
          .append(" | **")
          .append(c.result())
          .append("** |\n");
    }
    return b.toString();
  }

  static List<Map<String, Object>> json(List<Check> checks) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Check c : checks) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("target", c.target());
      m.put("key", c.key());
      m.put("measured", c.measured());
      m.put("result", c.result());
      out.add(m);
    }
    return out;
  }

  private static Object nullIfNaN(double v) {
    return Double.isNaN(v) ? null : v;
  }
}
