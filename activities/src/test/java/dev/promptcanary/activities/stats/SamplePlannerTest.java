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
   * (sd 0.2, one request per unit) quality lets go by 253 canary samples in half the runs (where
   * its radius reaches the 0.05 margin, as {@link SamplePlanner#plan} says) and the split check by
   * 288, but both by then only in about a quarter of the runs (each about 1/2), so the stage needs
   * more than either: the n at which the product of the two chances reaches 1/2.
   */
  @Test
  void theStageNeedsEveryGateTogetherNotJustTheSlowest() {
    GatesConfig gates = GatesConfig.defaults();
    TrafficProfile t = TrafficProfile.assumed(3_600);
    List<GateNeed> needs = SamplePlanner.gateNeeds(gates, 5_000, t);
    long quality =
        SamplePlanner.plan(new PlanRequest(0.05, 0.2, 0.045, 0, 0.95, 5_000, 3_600))
            .expectedCanarySamples();
    assertEquals(253, quality);
    assertTrue(needs.contains(new GateNeed("quality", quality)), needs.toString());
    assertTrue(needs.contains(new GateNeed("sample_ratio", 288)), needs.toString());
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
}
