package dev.promptcanary.bench.decision;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** One method's results over all runs of one scenario. */
final class MethodStats {
  final Truth truth;
  final int runs;
  final EnumMap<Action, Integer> counts = new EnumMap<>(Action.class);
  final int[] decidedSamples;
  final int[] rollbackSamples;
  final double meanSamplesUsed;

  MethodStats(Truth truth, Outcome[] outcomes) {
    this.truth = truth;
    this.runs = outcomes.length;
    for (Action a : Action.values()) {
      counts.put(a, 0);
    }
    long used = 0;
    int decided = 0;
    int rollbacks = 0;
    for (Outcome o : outcomes) {
      counts.merge(o.action(), 1, Integer::sum);
      used += o.canarySamples();
      decided += o.action() == Action.HELD ? 0 : 1;
      rollbacks += o.action() == Action.ROLLBACK ? 1 : 0;
    }
    decidedSamples = new int[decided];
    rollbackSamples = new int[rollbacks];
    int d = 0;
    int r = 0;
    for (Outcome o : outcomes) {
      if (o.action() != Action.HELD) {
        decidedSamples[d++] = o.canarySamples();
      }
      if (o.action() == Action.ROLLBACK) {
        rollbackSamples[r++] = o.canarySamples();
      }
    }
    Arrays.sort(decidedSamples);
    Arrays.sort(rollbackSamples);
    meanSamplesUsed = (double) used / runs;
  }

  double share(Action a) {
    return (double) counts.get(a) / runs;
  }

  /** Rollbacks of a canary that is not worse; NaN where the scenario has no such notion. */
  double falseRollback() {
    return truth == Truth.NO_REGRESSION || truth == Truth.SAMPLE_RATIO_MISMATCH
        ? share(Action.ROLLBACK)
        : Double.NaN;
  }

  double missedRegression() {
    return truth == Truth.REGRESSION ? 1 - share(Action.ROLLBACK) : Double.NaN;
  }

  /** Promotions of a canary that must not be promoted (regressed, or SRM). */
  double falsePromotion() {
    return truth == Truth.REGRESSION || truth == Truth.SAMPLE_RATIO_MISMATCH
        ? share(Action.PROMOTE)
        : Double.NaN;
  }

  static double quantile(int[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  static double mean(int[] values) {
    return values.length == 0 ? Double.NaN : Arrays.stream(values).average().orElse(Double.NaN);
  }

  Map<String, Object> json() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rollback", share(Action.ROLLBACK));
    m.put("promote", share(Action.PROMOTE));
    m.put("blocked_srm", share(Action.BLOCKED));
    m.put("held_at_horizon", share(Action.HELD));
    m.put("false_rollback", nullIfNaN(falseRollback()));
    m.put("missed_regression", nullIfNaN(missedRegression()));
    m.put("false_promotion", nullIfNaN(falsePromotion()));
    m.put("median_samples_to_decision", nullIfNaN(quantile(decidedSamples, 0.5)));
    m.put("p90_samples_to_decision", nullIfNaN(quantile(decidedSamples, 0.9)));
    m.put("mean_samples_to_rollback", nullIfNaN(mean(rollbackSamples)));
    m.put("median_samples_to_rollback", nullIfNaN(quantile(rollbackSamples, 0.5)));
    m.put("mean_samples_used", meanSamplesUsed);
    return m;
  }

  static Object nullIfNaN(double v) {
    return Double.isNaN(v) ? null : v;
  }
}
