package dev.promptcanary.bench.decision;

import dev.promptcanary.activities.stats.GateNeed;
import dev.promptcanary.activities.stats.SamplePlanner;
import dev.promptcanary.activities.stats.StageWindow;
import dev.promptcanary.activities.stats.TrafficProfile;
import dev.promptcanary.workflows.domain.GatesConfig;
import java.util.ArrayList;
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
 * 1 + (E[L^2] / E[L] - 1) rho}, over complete sessions and, per {@link #windows window}, over the
 * partial sessions a stage has seen after that time), so this checks its model, not its estimates.
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
        3_600,
        b.scores().sd(),
        b.errorRate(),
        b.safetyRate(),
        costCv(b.costSigmaLog()),
        1,
        1,
        List.of());
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
        designEffect,
        windows(t));
  }

  /** Stage times the windows are given at, in minutes (what a planner would measure). */
  static final double[] WINDOW_MINUTES = {
    1, 2, 3, 5, 7, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 360, 480, 720, 1_440
  };

  /**
   * What a stage sees after each of {@link #WINDOW_MINUTES} of the sessions first exposed in it:
   * sessions start uniformly over the window (Poisson arrivals), make their first request at the
   * start and the next ones {@link Traffic#gapSeconds()} apart on average (exponential gaps), as
   * {@link SessionRollout} simulates them; a session's partial length is its requests before the
   * window's end. The design effect of those partial lengths at the errors' rho ({@link
   * StageWindow#fromLengths}), from 200,000 sessions per window at a fixed seed.
   */
  static List<StageWindow> windows(Traffic t) {
    SplittableRandom rng = new SplittableRandom(2);
    List<StageWindow> windows = new ArrayList<>();
    int sessions = 200_000;
    for (double minutes : WINDOW_MINUTES) {
      double seconds = 60 * minutes;
      double n = 0;
      double nn = 0;
      for (int i = 0; i < sessions; i++) {
        int length = t.drawLength(rng);
        double at = rng.nextDouble() * seconds;
        int made = 1;
        while (made < length) {
          at -= t.gapSeconds() * Math.log(1 - rng.nextDouble());
          if (at >= seconds) {
            break;
          }
          made++;
        }
        n += made;
        nn += (double) made * made;
      }
      windows.add(StageWindow.fromLengths(minutes / 60, sessions, n, nn, t.rhoError()));
    }
    return windows;
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
