package dev.promptcanary.bench.decision;

import dev.promptcanary.activities.stats.GateNeed;
import dev.promptcanary.activities.stats.SamplePlanner;
import dev.promptcanary.activities.stats.TrafficProfile;
import dev.promptcanary.workflows.domain.GatesConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The planner against the simulation: for each single-stage A/A scenario, the canary requests the
 * stage needs by {@link SamplePlanner#medianCanarySamples} (every enabled gate together) against
 * the simulated median canary requests to promotion. The planner is given the true traffic profile
 * (score sd, base rates, cost CV, requests per session and the design effect of the errors, {@code
 * 1 + (E[L^2] / E[L] - 1) rho}), so this checks its model, not its estimates.
 */
final class PlannerCheck {
  /** Target: the estimate within this factor of the simulated median. */
  static final double FACTOR = 1.5;

  private PlannerCheck() {}

  /** One scenario's comparison. */
  record Row(String scenario, String slowestGate, long planned, double simulatedMedian) {
    double ratio() {
      return planned / simulatedMedian;
    }

    boolean within() {
      double r = ratio();
      return r <= FACTOR && r >= 1 / FACTOR;
    }

    Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("slowest_gate", slowestGate);
      m.put("planned_canary_samples", planned);
      m.put("simulated_median_canary_samples", simulatedMedian);
      m.put("ratio", Double.isFinite(ratio()) ? ratio() : null);
      return m;
    }

    String text() {
      return String.format(
          Locale.ROOT,
          "  %-18s planner %6d (%s)  simulated median %7.0f  ratio %5.2f  %s",
          scenario,
          planned,
          slowestGate,
          simulatedMedian,
          ratio(),
          within() ? "within x1.5" : "OUTSIDE x1.5");
    }
  }

  /**
   * The median canary requests to promotion over all runs, a run not promoted counting as never
   * (rollbacks, SRM, holds); NaN when fewer than half the runs were promoted.
   */
  static double medianToPromote(MethodStats m) {
    int index = (int) Math.ceil(0.5 * m.runs) - 1;
    return index < m.promoteSamples.length ? m.promoteSamples[index] : Double.NaN;
  }

  /**
   * The planner's median need for a stage of {@code gates} at {@code weightBp} ({@link
   * SamplePlanner#medianCanarySamples}, every gate together), named by its slowest gate; null if
   * nothing holds.
   */
  static GateNeed slowest(GatesConfig gates, int weightBp, TrafficProfile profile) {
    List<GateNeed> needs = SamplePlanner.gateNeeds(gates, weightBp, profile);
    return needs.isEmpty()
        ? null
        : new GateNeed(
            needs.get(0).gate(), SamplePlanner.medianCanarySamples(gates, weightBp, profile));
  }

  /** Cost per request: lognormal with sigma_log s has CV sqrt(exp(s^2) - 1). */
  static double costCv(double sigmaLog) {
    return Math.sqrt(Math.exp(sigmaLog * sigmaLog) - 1);
  }

  static TrafficProfile iid(Scenario s) {
    ArmModel b = s.stable();
    return new TrafficProfile(
        3_600, b.scores().sd(), b.errorRate(), b.safetyRate(), costCv(b.costSigmaLog()), 1, 1);
  }

  static TrafficProfile clustered(ClusterScenario s) {
    Traffic t = s.traffic();
    SessionArm b = s.stable();
    double[] m = lengthMoments(t);
    double designEffect = 1 + (m[1] / m[0] - 1) * t.rhoError();
    return new TrafficProfile(
        t.requestsPerSecond() * 3_600,
        b.scoreSd(),
        b.errorRate(),
        b.safetyRate(),
        costCv(b.costSigmaLog()),
        m[0],
        designEffect);
  }

  /** E[L] and E[L^2] of the session lengths, from a million draws at a fixed seed. */
  static double[] lengthMoments(Traffic t) {
    SplittableRandom rng = new SplittableRandom(1);
    double s = 0;
    double ss = 0;
    int n = 1_000_000;
    for (int i = 0; i < n; i++) {
      double l = t.drawLength(rng);
      s += l;
      ss += l * l;
    }
    return new double[] {s / n, ss / n};
  }
}
