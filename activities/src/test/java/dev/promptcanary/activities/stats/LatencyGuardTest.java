package dev.promptcanary.activities.stats;

import static dev.promptcanary.activities.stats.CanaryAnalysisTest.gate;
import static dev.promptcanary.activities.stats.Inputs.arm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.domain.GateMode;
import dev.promptcanary.workflows.domain.GatesConfig;
import dev.promptcanary.workflows.domain.LatencyGate;
import dev.promptcanary.workflows.domain.Verdict;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The latency gate's promotion guard: Wald's sequential probability ratio test of no rise against a
 * rise of the margin, holding the promotion of a harm-detection gate until the likelihood ratio
 * favours no rise by 1 / (1 - c).
 */
class LatencyGuardTest {
  private static final double LN5 = Math.log(5);

  private static Comparison p99(double confidence) {
    return new Comparison(
        GateKind.LATENCY,
        "p99",
        true,
        0.0003,
        0,
        0.015,
        0,
        Comparison.Range.RATE_DIFFERENCE,
        GateMode.HARM_DETECTION,
        0,
        confidence);
  }

  /**
   * d = 0.015, c = 0.8, V = 2.5e-5: the limit is d/2 - V ln(1/0.2) / d = 0.0075 - 2.5e-5 *
   * 1.6094379 / 0.015 = 0.0075 - 0.0026824 = 0.0048176. A centre of 0.0049 holds, 0.0048 does not;
   * the bounds themselves are those of the gate without a guard.
   */
  @Test
  void theGuardHoldsUntilTheCentreIsBelowTheHandComputedLimit() {
    Comparison guarded = p99(0.8);
    assertEquals(0.0048176, guarded.guardLimit(2.5e-5, 0.015), 1e-7);
    assertEquals(0.0075 - 2.5e-5 * LN5 / 0.015, guarded.guardLimit(2.5e-5, 0.015), 1e-15);

    GateOutcome held = guarded.decide(5_000, 5_000, 0.0049, 0.0049, 2.5e-5);
    assertEquals(Decision.INCONCLUSIVE, held.decision());
    assertTrue(held.holds());
    assertEquals(0.0048176, held.numbers().guard(), 1e-7);
    GateOutcome through = guarded.decide(5_000, 5_000, 0.0048, 0.0048, 2.5e-5);
    assertEquals(Decision.INCONCLUSIVE, through.decision());
    assertFalse(through.holds());
    assertTrue(Double.isNaN(through.numbers().guard()));

    GateOutcome unguarded = p99(0).decide(5_000, 5_000, 0.0049, 0.0049, 2.5e-5);
    assertFalse(unguarded.holds(), "harm detection without a guard never holds");
    assertEquals(unguarded.numbers().lower(), held.numbers().lower(), 0);
    assertEquals(unguarded.numbers().upper(), held.numbers().upper(), 0);
    assertEquals(unguarded.numbers().mde(), held.numbers().mde(), 0);

    GateOutcome noData = guarded.insufficient(0, 0, 0);
    assertFalse(noData.holds(), "no latency at all: the guard does not hold");
    assertTrue(guarded.insufficient(20, 20, 0.01).holds(), "too little data: it holds");
  }

  /**
   * The guarantee, by simulation: paths of a Gaussian estimate with independent increments (the
   * mean of k draws N(theta, s^2), V = s^2 / k), looked at every 10 draws up to 20,000. At theta =
   * d (a rise of exactly the margin) the guard lets at most 20% through (Ville); at theta = 1.5 d
   * fewer still; at theta = 0 (both arms at 1%), looked at every draw as the planner assumes, half
   * the paths are through by the planner's sample, and by three times it the share the planner's
   * first-passage model gives.
   */
  @Test
  void aRiseOfTheMarginIsLetThroughInAtMostOneMinusCOfPaths() {
    Comparison guarded = p99(0.8);
    double d = 0.015;
    double s2 = 0.0345; // per canary request at 50%: p99 exceedances 2.5% and 1%
    int paths = 2_000;
    int atMargin = through(guarded, d, s2, d, paths, 20_000, 10, 1);
    int beyond = through(guarded, d, s2, 1.5 * d, paths, 20_000, 10, 2);
    // 0.2 plus three binomial standard errors: 400 + 3 * sqrt(2000 * 0.16) = 454
    assertTrue(atMargin <= 454, atMargin + " of " + paths + " let through at a rise of d");
    assertTrue(atMargin > 0, "the test is not vacuous");
    assertTrue(beyond < atMargin, beyond + " let through at 1.5 d");
    double aa = 0.0198; // both arms at 1%
    // the planner's need of the p99 guard at 50%, both arms at 1%
    // (thePlannerCountsTheGuardsSamples)
    long planned =
        need(
            SamplePlanner.gateNeeds(
                GatesConfig.defaults().perStage(1), 5_000, TrafficProfile.assumed(10_000)),
            "latency p99");
    // the planner models a guard that looks continuously: here, at every draw
    int byPlanned = through(guarded, d, aa, 0, paths, (int) planned, 1, 3);
    int byThrice = through(guarded, d, aa, 0, paths, (int) (3 * planned), 1, 3);
    assertTrue(byPlanned >= paths / 2, byPlanned + " of " + paths + " identical through by n");
    // and by 3 n as many as the planner's chance says (0.8715), within three binomial errors
    double chance =
        SamplePlanner.releaseModels(
                GatesConfig.defaults().perStage(1), 5_000, TrafficProfile.assumed(10_000))
            .stream()
            .filter(r -> r.gate().equals("latency p99"))
            .findFirst()
            .orElseThrow()
            .released(3 * planned);
    assertEquals(0.8715, chance, 1e-3);
    double se = Math.sqrt(chance * (1 - chance) / paths);
    assertEquals(chance, (double) byThrice / paths, 3 * se, byThrice + " identical through by 3 n");
  }

  private static int through(
      Comparison c, double d, double s2, double theta, int paths, int draws, int every, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double sd = Math.sqrt(s2);
    int through = 0;
    for (int p = 0; p < paths; p++) {
      double sum = 0;
      for (int k = 1; k <= draws; k++) {
        sum += theta + sd * gaussian(random);
        if (k % every == 0 && k >= 30) {
          double variance = s2 / k;
          if (sum / k <= c.guardLimit(variance, d)) {
            through++;
            break;
          }
        }
      }
    }
    return through;
  }

  private static double gaussian(SplittableRandom random) {
    double u = random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
  }

  /**
   * The planner, for a guard that looks continuously: with {@code s^2 = q (1 - q) / (1 - w)} per
   * canary sample, {@code k D(k)} is a driftless walk that lets go when it falls below the line
   * {@code k d/2 - s^2 ln 5 / d}, Brownian motion with drift beta = d/2 reaching a = s^2 ln 5 / d:
   * {@code P(n) = Phi((beta n - a) / (s sqrt n)) + exp(2 beta a / s^2) Phi((-a - beta n) / (s sqrt
   * n))}, with a moved out by 0.5826 s for a look after every sample (Siegmund), 1/2 at n (solved
   * for the smallest integer n apart, in Python): p99 (d 0.015, s^2 0.0198) 188, p50 (0.10, 0.5)
   * 109, p95 (0.05, 0.095) 83. (A single look at n reaches 1/2 where the line does, at n = 2 ln 5
   * s^2 / d^2: 283.3, 160.9 and 122.3.)
   */
  @Test
  void thePlannerCountsTheGuardsSamples() {
    List<GateNeed> needs =
        SamplePlanner.gateNeeds(
            GatesConfig.defaults().perStage(1), 5_000, TrafficProfile.assumed(10_000));
    assertEquals(188, need(needs, "latency p99"));
    assertEquals(109, need(needs, "latency p50"));
    assertEquals(83, need(needs, "latency p95"));
  }

  private static long need(List<GateNeed> needs, String gate) {
    return needs.stream()
        .filter(n -> n.gate().equals(gate))
        .findFirst()
        .orElseThrow(() -> new AssertionError(gate + " not in " + needs))
        .canarySamples();
  }

  /**
   * The defaults: a canary with 2.5% of its requests above the baseline p99 against 1% (a rise of
   * the margin 0.015) at 2,000 requests per arm is not yet a regression, but the promotion is held
   * for it; the same look with 1% in both arms is promoted. At 2,000 per arm the canary's variance
   * is its Agresti-Caffo one, 51/2002 * 1951/2002 / 2002 = 1.2401e-5, the baseline's the residual
   * variance pooled over both arms, (2000 * 0.025 * 0.975 + 2000 * 0.01 * 0.99) / 3998 / 2000 =
   * 8.573e-6: V = 2.0974e-5, limit 0.0075 - 2.0974e-5 * ln 5 / 0.015 = 0.0052496, against a centre
   * of 51/2002 - 21/2002 = 0.014985.
   */
  @Test
  void theDefaultGatesHoldAPromotionForATailRiseThatHasNotShownYet() {
    LatencyGate defaults = GatesConfig.defaults().latency();
    assertEquals(List.of(0.10, 0.05, 0.015), defaults.margins());
    assertEquals(0.8, defaults.promotionConfidence(), 0);
    assertEquals(GateMode.HARM_DETECTION, defaults.mode());
    assertEquals(0.015, LatencyGate.defaultMargin(0.999), 0);
    assertEquals(0.10, LatencyGate.defaultMargin(0.75), 0);
    assertEquals(0.02, LatencyGate.defaultMargin(0.98), 1e-12);

    long n = 2_000;
    AnalysisInput slowTail = input(n, 50);
    AnalysisResult held = CanaryAnalysis.analyse(slowTail);
    Verdict p99 = gate(held, GateKind.LATENCY, "p99");
    assertEquals(Decision.INCONCLUSIVE, p99.decision(), p99.reason());
    assertTrue(p99.reason().contains("ruled out at 80%"), p99.reason());
    assertTrue(p99.reason().contains("below 0.0052"), p99.reason());
    assertEquals(Decision.INCONCLUSIVE, held.overall().decision(), held.overall().reason());
    assertTrue(held.overall().reason().contains("latency p99"), held.overall().reason());

    AnalysisResult same = CanaryAnalysis.analyse(input(n, 20));
    assertEquals(Decision.NON_INFERIOR, same.overall().decision(), same.overall().reason());
  }

  private static AnalysisInput input(long n, long canaryAboveP99) {
    return new AnalysisInput(
        GatesConfig.defaults(),
        5_000,
        arm(n, 0.7, 0.2),
        arm(n, 0.7, 0.2),
        List.of(
            Inputs.cut(0.5, n, n / 2, n),
            Inputs.cut(0.95, n, n / 20, n),
            Inputs.cut(0.99, n, canaryAboveP99, n)));
  }
}
