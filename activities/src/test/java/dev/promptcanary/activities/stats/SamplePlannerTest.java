package dev.promptcanary.activities.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    assertEquals(plan.canarySamplesForPower(), plan.baselineSamplesForPower());
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
        "a large baseline arm makes each canary sample worth more");
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
}
