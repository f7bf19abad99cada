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
  final int[] promoteSamples;
  final int[] promoteUnits;
  final double meanSamplesUsed;

  /** Rollbacks in which each gate (by {@code GateKind} ordinal) regressed. */
  final int[] rollbacksByGate = new int[32];

  MethodStats(Truth truth, Outcome[] outcomes) {
    this.truth = truth;
    this.runs = outcomes.length;
    for (Action a : Action.values()) {
      counts.put(a, 0);
    }
    long used = 0;
    int decided = 0;
    int rollbacks = 0;
    int promotions = 0;
    for (Outcome o : outcomes) {
      counts.merge(o.action(), 1, Integer::sum);
      used += o.canarySamples();
      decided += decided(o.action()) ? 1 : 0;
      rollbacks += o.action() == Action.ROLLBACK ? 1 : 0;
      promotions += o.action() == Action.PROMOTE ? 1 : 0;
      for (int g = 0; g < rollbacksByGate.length; g++) {
        if (o.action() == Action.ROLLBACK && (o.gateMask() & (1 << g)) != 0) {
          rollbacksByGate[g]++;
        }
      }
    }
    decidedSamples = new int[decided];
    rollbackSamples = new int[rollbacks];
    promoteSamples = new int[promotions];
    promoteUnits = new int[promotions];
    int d = 0;
    int r = 0;
    int p = 0;
    for (Outcome o : outcomes) {
      if (decided(o.action())) {
        decidedSamples[d++] = o.canarySamples();
      }
      if (o.action() == Action.ROLLBACK) {
        rollbackSamples[r++] = o.canarySamples();
      }
      if (o.action() == Action.PROMOTE) {
        promoteUnits[p] = o.canaryUnits();
        promoteSamples[p++] = o.canarySamples();
      }
    }
    Arrays.sort(decidedSamples);
    Arrays.sort(rollbackSamples);
    Arrays.sort(promoteSamples);
    Arrays.sort(promoteUnits);
    meanSamplesUsed = (double) used / runs;
  }

  private static boolean decided(Action a) {
    return a == Action.ROLLBACK || a == Action.PROMOTE || a == Action.BLOCKED;
  }

  /** Share of runs rolled back with gate {@code g} (a GateKind ordinal) among the regressed. */
  double rollbackShareByGate(int g) {
    return (double) rollbacksByGate[g] / runs;
  }

  /** Binomial standard error of a share of these runs. */
  double standardError(double share) {
    return Math.sqrt(share * (1 - share) / runs);
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
    m.put("judge_hold", share(Action.JUDGE_HOLD));
    m.put("false_rollback", nullIfNaN(falseRollback()));
    m.put("missed_regression", nullIfNaN(missedRegression()));
    m.put("false_promotion", nullIfNaN(falsePromotion()));
    m.put("median_samples_to_decision", nullIfNaN(quantile(decidedSamples, 0.5)));
    m.put("p90_samples_to_decision", nullIfNaN(quantile(decidedSamples, 0.9)));
    m.put("mean_samples_to_rollback", nullIfNaN(mean(rollbackSamples)));
    m.put("median_samples_to_rollback", nullIfNaN(quantile(rollbackSamples, 0.5)));
    m.put("median_samples_to_promote", nullIfNaN(quantile(promoteSamples, 0.5)));
    m.put("median_units_to_promote", nullIfNaN(quantile(promoteUnits, 0.5)));
    m.put("mean_samples_used", meanSamplesUsed);
    return m;
  }

  static Object nullIfNaN(double v) {
    return Double.isNaN(v) ? null : v;
  }
}
