package dev.promptcanary.activities.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promptcanary.workflows.domain.GatesConfig;
import dev.promptcanary.workflows.domain.SrmGate;
import java.util.List;
import org.junit.jupiter.api.Test;

class SamplePlannerTest {

  /**
   * Two-sided alpha 0.05, power 0.9, even split: n = 2 sigma^2 (z_0.975 + z_0.9)^2 / d^2 = 2 * 0.04
   * * (1.959964 + 1.281552)^2 / 0.0025 = 336.2, so 337 per arm (the "336").
   */
  @Test
  void fixedHorizonMatchesTheTextbookFormula() {
    assertEquals(337, SamplePlanner.fixedHorizonCanarySamples(0.05, 0.2, 0.05, 0.9, 5_000));
    // 5/95: V = sigma^2 (1/n_c + 1/(19 n_c)) = sigma^2 (20/19) / n_c, so n_c = 336.2 * 20/38 = 177.
    assertEquals(177, SamplePlanner.fixedHorizonCanarySamples(0.05, 0.2, 0.05, 0.9, 500));
  }

  @Test
  void expectedSamplesAreWhereTheBoundMeetsTheEffect() {
    PlanRequest request = new PlanRequest(0.05, 0.2, 0.045, 0, 0.95, 5_000, 200);
    SamplePlan plan = SamplePlanner.plan(request);
    double tau = OneSidedNormalMixture.tunedTau(0.045, 0.05);
    long n = plan.expectedCanarySamples();
    assertTrue(OneSidedNormalMixture.radius(0.08 / n, tau, 0.045) <= 0.05);
    assertTrue(OneSidedNormalMixture.radius(0.08 / (n - 1), tau, 0.045) > 0.05);
    assertTrue(plan.canarySamplesForPower() > n, "95% power needs more than the average");
    assertEquals(plan.canarySamplesForPower(), plan.stableSamplesForPower());
    // 100 canary requests an hour at 50% of 200.
    assertEquals(n / 100.0, plan.expectedHours(), 1e-9);
    assertTrue(plan.summary().contains("200 requests/hour"), plan.summary());
  }

  @Test
  void smallerCanariesAndSmallerEffectsTakeLonger() {
    SamplePlan even = SamplePlanner.plan(new PlanRequest(0.05, 0.2, 0.045, 0, 0.95, 5_000, 200));
    SamplePlan small = SamplePlanner.plan(new PlanRequest(0.05, 0.2, 0.045, 0, 0.95, 500, 200));
    SamplePlan subtle = SamplePlanner.plan(new PlanRequest(0.02, 0.2, 0.045, 0, 0.95, 5_000, 200));
    assertTrue(
        small.canarySamplesForPower() < even.canarySamplesForPower(),
        "a large stable arm makes each canary sample worth more");
    assertTrue(small.hoursForPower() > even.hoursForPower(), "but they arrive ten times slower");
    assertTrue(subtle.canarySamplesForPower() > 5 * even.canarySamplesForPower());
  }

  @Test
  void requiredWeightIsTheSmallestThatFitsTheWindow() {
    PlanRequest request = new PlanRequest(0.05, 0.2, 0.045, 0, 0.95, 500, 200);
    double window = 12;
    int weight = SamplePlanner.requiredWeightBasisPoints(request, window);
    assertTrue(weight > 500, "5% of 200 an hour is too slow for 12 hours");
    assertTrue(SamplePlanner.plan(request.withWeight(weight)).hoursForPower() <= window);
    assertTrue(SamplePlanner.plan(request.withWeight(weight - 1)).hoursForPower() > window);
    assertEquals(-1, SamplePlanner.requiredWeightBasisPoints(request, 0.5));
  }

  /**
   * A right 50/50 split over 1,000 units, tolerance 0.1, alpha 0.001: the share's sd is sqrt(0.25 /
   * 1000) = 0.0158114, z^2 = 2 ln 1000 + ln(1 + 1000 * 0.01 / 0.25) = 13.81551 + 3.71357 =
   * 17.52908, half-width 4.18677 * 0.0158114 = 0.066199, slack 0.1 - 0.066199 = 0.033801, so the
   * split is verified when the share is within 0.033801 of 0.5: 2 Phi(2.13778) - 1 = 0.96747.
   */
  @Test
  void theSplitIsVerifiedOnceItsBoundsAndItsNoiseFitTheTolerance() {
    SrmGate srm = new SrmGate(true, 0.001, 0.2);
    assertEquals(0.96747, SamplePlanner.srmVerified(srm, 0.5, 1_000), 1e-5);
    // Where the half-width alone reaches the tolerance the share must be exactly right: never.
    double units = SamplePlanner.srmCanaryUnits(srm, 5_000) / 0.5;
    assertEquals(0, SamplePlanner.srmVerified(srm, 0.5, units * 0.999), 1e-12);
  }

  /**
   * The stage's median is the median of its slowest gate's stopping time: with the defaults at 50%
   * (sd 0.2, one request per unit) quality, looking continuously, lets go by 205 canary samples in
   * half the runs (its single look at n only by 253, where its radius reaches the 0.05 margin, as
   * {@link SamplePlanner#plan} says) and the split check by 267 (single look: 288), but both by
   * then only in about a quarter of the runs (each about 1/2), so the stage needs more than either:
   * the n at which the product of the two chances reaches 1/2.
   */
  @Test
  void theStageNeedsEveryGateTogetherNotJustTheSlowest() {
    GatesConfig gates = GatesConfig.defaults();
    TrafficProfile t = TrafficProfile.assumed(3_600);
    List<GateNeed> needs = SamplePlanner.gateNeeds(gates, 5_000, t);
    long singleLook =
        SamplePlanner.plan(new PlanRequest(0.05, 0.2, 0.045, 0, 0.95, 5_000, 3_600))
            .expectedCanarySamples();
    assertEquals(253, singleLook);
    assertTrue(needs.contains(new GateNeed("quality", 205)), needs.toString());
    assertTrue(needs.contains(new GateNeed("sample_ratio", 267)), needs.toString());
    assertEquals(267, needs.get(0).canarySamples(), "the split check is the slowest");
    long median = SamplePlanner.medianCanarySamples(gates, 5_000, t);
    assertTrue(median > needs.get(0).canarySamples(), median + " vs " + needs);
    double both = 1;
    double before = 1;
    for (SamplePlanner.Release r : SamplePlanner.releaseModels(gates, 5_000, t)) {
      both *= r.released(median);
      before *= r.released(median - 1);
    }
    assertTrue(both >= 0.5 && before < 0.5, both + " " + before);
    assertEquals(median / 1_800.0, SamplePlanner.hoursFor(median, 5_000, t), 1e-12);
  }

  /**
   * A window of four units with 1, 1, 2 and 4 requests so far: 8 requests, sum of squares 1 + 1 + 4
   * + 16 = 22, so 2 requests per unit and at rho 0.3 a design effect of 1 + (22 / 8 - 1) 0.3 =
   * 1.525; and back from that design effect over the same lengths, rho (1.525 - 1) / 1.75 = 0.3.
   * The same four sessions complete (4, 6, 2 and 4 requests: 16, sum of squares 72) have 1 + (72 /
   * 16 - 1) 0.3 = 2.05.
   */
  @Test
  void aWindowsDesignEffectIsThatOfThePartialSessions() {
    StageWindow w = StageWindow.fromLengths(0.25, 4, 8, 22, 0.3);
    assertEquals(2, w.requestsPerUnit(), 1e-12);
    assertEquals(1.525, w.designEffect(), 1e-12);
    assertEquals(0.3, StageWindow.rho(1.525, 8, 22), 1e-12);
    assertEquals(2.05, StageWindow.fromLengths(24, 4, 16, 72, 0.3).designEffect(), 1e-12);
    assertEquals(0, StageWindow.rho(1.4, 10, 10), 1e-12, "one request per session: no rho");
    assertEquals(1, StageWindow.fromLengths(1, 0, 0, 0, 0.3).designEffect(), 1e-12);
  }

  /**
   * Windows at 1 h (2 requests per unit, design effect 1.5) and 3 h (4, 2.5), from 1 and 1 at the
   * stage's start: at 0.5 h 1.5 and 1.25, at 2 h 3 and 2, beyond 3 h the 3 h values. At 1,000
   * requests an hour, 50%, 4 requests per complete session, a stage of T hours has 500 T rpu(T) / 4
   * canary requests of its own units: 750 at T = 2 (500 * 2 * 3 / 4), so 750 take 2 h (1.5 h at the
   * plain 500 an hour).
   */
  @Test
  void aStageIsPlannedWithTheSessionsItHasSeenSoFar() {
    TrafficProfile t =
        new TrafficProfile(1_000, 0.2, 0.01, 0.001, 0.5, 4, 3, List.of())
            .withWindows(List.of(new StageWindow(3, 4, 2.5), new StageWindow(1, 2, 1.5)));
    assertEquals(1.25, t.designEffectAt(0.5), 1e-12);
    assertEquals(1.5, t.requestsPerUnitAt(0.5), 1e-12);
    assertEquals(2, t.designEffectAt(2), 1e-12);
    assertEquals(3, t.requestsPerUnitAt(2), 1e-12);
    assertEquals(2.5, t.designEffectAt(10), 1e-12);
    assertEquals(2, t.stageHours(750, 0.5), 1e-9);
    assertEquals(2, SamplePlanner.hoursFor(750, 5_000, t), 1e-9);
    TrafficProfile complete = t.withWindows(List.of());
    assertEquals(3, complete.designEffectAt(0.5), 1e-12);
    assertEquals(1.5, complete.stageHours(750, 0.5), 1e-12);
    // a stage that decides in its first hour sees a design effect well below the day's 3
    long partial = SamplePlanner.medianCanarySamples(GatesConfig.defaults(), 5_000, t);
    long whole = SamplePlanner.medianCanarySamples(GatesConfig.defaults(), 5_000, complete);
    assertTrue(partial < whole, partial + " vs " + whole);
    // windows that reach the complete sessions at once plan as the complete sessions
    TrafficProfile atOnce = t.withWindows(List.of(new StageWindow(1e-9, 4, 3)));
    assertEquals(whole, SamplePlanner.medianCanarySamples(GatesConfig.defaults(), 5_000, atOnce));
  }

  /**
   * The guard's limit {@code d/2 - V ln 5 / d} with {@code V = s^2 / k} makes {@code b(k) = k d/2 -
   * s^2 ln 5 / d} a line, so the tangent is exact: beta = d/2, a = s^2 ln 5 / d and {@code 2 beta a
   * / s^2 = ln 5}. At the single look's median {@code n = 2 s^2 ln 5 / d^2} (b(n) = 0) the chance
   * is {@code 1/2 + 5 Phi(-2 sqrt(ln 5 / 2))} = 0.5 + 5 Phi(-1.79412) = 0.5 + 5 * 0.036400 =
   * 0.68200, whatever s and d.
   */
  @Test
  void aContinuousLookLetsGoEarlierThanASingleLook() {
    double d = 0.015;
    double s2 = 0.0198;
    long n = Math.round(2 * s2 * Math.log(5) / (d * d)); // 283.26 -> 283
    java.util.function.LongToDoubleFunction v = k -> s2 / k;
    double chance =
        SamplePlanner.passage(k -> d / 2 - v.applyAsDouble(k) * Math.log(5) / d, v, 283, 0);
    assertEquals(0.682, chance, 2e-3);
    // a boundary that does not rise leaves the single look's chance
    assertEquals(
        0.5,
        SamplePlanner.passage(k -> 0, k -> s2 / k, n, 0),
        1e-12,
        "no tangent line: single look");
    // a look after every sample: the line moved out by 0.5826 s, a = 2.12446 + 0.5826 * 0.140712
    // = 2.20644: Phi((2.1225 - 2.20644) / 2.36714) + exp(2 * 0.0075 * 2.20644 / 0.0198)
    // Phi(-4.32894 / 2.36714) = Phi(-0.03546) + exp(1.67154) Phi(-1.82875) = 0.48586 + 5.3199 *
    // 0.033720 = 0.66525
    assertEquals(
        0.66525,
        SamplePlanner.passage(k -> d / 2 - v.applyAsDouble(k) * Math.log(5) / d, v, 283),
        1e-3);
  }

  /**
   * The split check's continuous look, against a simulation of it: a right 50/50 split, each unit a
   * coin, the check at every unit; the share of paths verified by N units against {@link
   * SamplePlanner#srmEntered} (tangent approximation) and the single look {@link
   * SamplePlanner#srmVerified}.
   */
  @Test
  void theSplitIsVerifiedByAContinuousLookAsSimulated() {
    SrmGate srm = new SrmGate(true, 0.001, 0.2);
    int paths = 4_000;
    int[] at = {400, 600, 900};
    int[] verified = new int[at.length];
    java.util.SplittableRandom random = new java.util.SplittableRandom(7);
    for (int p = 0; p < paths; p++) {
      int canary = 0;
      int next = 0;
      boolean in = false;
      for (int k = 1; k <= at[at.length - 1]; k++) {
        canary += random.nextBoolean() ? 1 : 0;
        if (!in && k > 2) {
          double tol = 0.1;
          double z2 = 2 * Math.log(1000) + Math.log(1 + k * tol * tol / 0.25);
          double h = Math.sqrt(z2 * 0.25 / k);
          in = Math.abs((double) canary / k - 0.5) < tol - h;
        }
        while (next < at.length && k == at[next]) {
          verified[next++] += in ? 1 : 0;
        }
      }
    }
    for (int i = 0; i < at.length; i++) {
      double simulated = (double) verified[i] / paths;
      double planned = SamplePlanner.srmEntered(srm, 0.5, at[i]);
      assertTrue(
          Math.abs(planned - simulated) < 0.06,
          at[i] + " units: planned " + planned + ", simulated " + simulated);
      assertTrue(planned >= SamplePlanner.srmVerified(srm, 0.5, at[i]));
    }
  }
}
