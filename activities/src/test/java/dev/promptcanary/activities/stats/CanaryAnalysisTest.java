package dev.promptcanary.activities.stats;

import static dev.promptcanary.activities.stats.Inputs.arm;
import static dev.promptcanary.activities.stats.Inputs.input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.domain.GateMode;
import dev.promptcanary.workflows.domain.GatesConfig;
import dev.promptcanary.workflows.domain.QualityGate;
import dev.promptcanary.workflows.domain.Verdict;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CanaryAnalysisTest {

  private static Verdict gate(AnalysisResult result, GateKind kind) {
    return result.gates().stream().filter(v -> v.gate() == kind).findFirst().orElseThrow();
  }

  static Verdict gate(AnalysisResult result, GateKind kind, String metric) {
    return result.gates().stream()
        .filter(v -> v.gate() == kind && java.util.Objects.equals(metric, v.metric()))
        .findFirst()
        .orElseThrow();
  }

  /**
   * 100 judgements per arm, means 0.60 / 0.70, sd 0.2 each: D = -0.1, V = 2 * 0.04 / 100 = 0.0008.
   * Quality alpha = 0.05 * 0.9 = 0.045; tau = 0.934398 * 0.05 = 0.0467199 (see
   * OneSidedNormalMixtureTest). K = ln(1/0.09) + ln((0.0008 + 0.0021828)/0.0008)/2 = 2.407946 +
   * 0.657995 = 3.065940, z* = 2.478932, s = sqrt(0.0008 * 0.0029828)/0.0467199 = 0.0330637, radius
   * = 0.081963: bounds [-0.181963, -0.018037], wholly below 0, so a regression.
   */
  @Test
  void qualityVerdictMatchesHandComputedBounds() {
    AnalysisResult result = CanaryAnalysis.analyse(input(arm(100, 0.60, 0.2), arm(100, 0.70, 0.2)));
    Verdict quality = gate(result, GateKind.QUALITY);
    assertEquals(Decision.REGRESSION, quality.decision());
    assertEquals(-0.1, quality.estimate(), 1e-12);
    assertEquals(-0.181963, quality.lower(), 3e-5);
    assertEquals(-0.018037, quality.upper(), 3e-5);
    assertEquals(-0.05, quality.threshold(), 0);
    assertEquals(100, quality.canaryN());
    assertEquals(100, quality.stableN());
    assertEquals(Decision.REGRESSION, result.overall().decision());
    assertTrue(result.overall().reason().startsWith("roll back"), result.overall().reason());
  }

  @Test
  void qualityDecisionsFollowTheBounds() {
    Verdict equalArms =
        gate(
            CanaryAnalysis.analyse(input(arm(2_000, 0.7, 0.2), arm(2_000, 0.7, 0.2))),
            GateKind.QUALITY);
    assertEquals(Decision.NON_INFERIOR, equalArms.decision());
    assertTrue(equalArms.lower() > -0.05);

    Verdict smallDrop =
        gate(
            CanaryAnalysis.analyse(input(arm(100, 0.68, 0.2), arm(100, 0.7, 0.2))),
            GateKind.QUALITY);
    assertEquals(Decision.INCONCLUSIVE, smallDrop.decision());
    assertTrue(smallDrop.lower() < -0.05 && smallDrop.upper() > 0);

    Verdict tooFew =
        gate(CanaryAnalysis.analyse(input(arm(10, 0.2, 0.2), arm(10, 0.9, 0.2))), GateKind.QUALITY);
    assertEquals(Decision.INSUFFICIENT_DATA, tooFew.decision());
    assertTrue(tooFew.reason().contains("need 30 per arm"), tooFew.reason());
  }

  /** Property: with the same means and spreads, more data can only confirm a regression. */
  @Test
  void regressionNeverTurnsNonInferiorAsIdenticalDataGrows() {
    for (double drop : new double[] {0.0, 0.01, 0.02, 0.04, 0.05, 0.1, 0.3}) {
      for (double sd : new double[] {0.05, 0.2, 0.4}) {
        boolean seenRegression = false;
        for (long n = 30; n < 1_000_000; n = n * 6 / 5 + 1) {
          AnalysisInput in = input(arm(n, 0.7 - drop, sd), arm(n, 0.7, sd));
          Decision d = gate(CanaryAnalysis.analyse(in), GateKind.QUALITY).decision();
          seenRegression |= d == Decision.REGRESSION;
          if (seenRegression) {
            assertEquals(Decision.REGRESSION, d, "drop " + drop + " sd " + sd + " n " + n);
          }
        }
      }
    }
  }

  @Test
  void errorRateRegressionNeverTurnsNonInferiorAsIdenticalDataGrows() {
    for (double canaryRate : new double[] {0.01, 0.012, 0.015, 0.02, 0.05}) {
      boolean seenRegression = false;
      for (long n = 30; n < 5_000_000; n = n * 6 / 5 + 1) {
        ArmSummary canary = Inputs.withErrors(arm(n, 0.7, 0.2), Math.round(n * canaryRate));
        Decision d =
            gate(CanaryAnalysis.analyse(input(canary, arm(n, 0.7, 0.2))), GateKind.ERROR_RATE)
                .decision();
        seenRegression |= d == Decision.REGRESSION;
        if (seenRegression) {
          assertEquals(Decision.REGRESSION, d, "canary rate " + canaryRate + " n " + n);
        }
      }
    }
  }

  /** Property: identical arms give bounds symmetric around 0; swapping the arms mirrors them. */
  @Test
  void symmetricInputsGiveSymmetricBounds() {
    AnalysisResult same = CanaryAnalysis.analyse(input(arm(400, 0.7, 0.2), arm(400, 0.7, 0.2)));
    for (GateKind kind :
        new GateKind[] {
          GateKind.QUALITY,
          GateKind.ERROR_RATE,
          GateKind.SAFETY_RATE,
          GateKind.LATENCY,
          GateKind.COST
        }) {
      Verdict v = gate(same, kind);
      assertEquals(0, v.estimate(), 1e-12, kind.name());
      assertEquals(-v.lower(), v.upper(), 1e-12, kind.name());
    }

    ArmSummary a = Inputs.withErrors(arm(300, 0.62, 0.25), 9);
    ArmSummary b = Inputs.withErrors(arm(500, 0.70, 0.15), 4);
    // A relative margin follows the baseline's rate, so swapping the arms would move it: absolute.
    GatesConfig gates =
        Inputs.withErrorGate(GatesConfig.defaults().errorRate().withRelativeMargin(0));
    AnalysisResult ab =
        CanaryAnalysis.analyse(new AnalysisInput(gates, 5_000, a, b, Inputs.latency(300, 30, 500)));
    AnalysisResult ba =
        CanaryAnalysis.analyse(
            new AnalysisInput(
                gates, 5_000, b, a, new LatencyExceedance(0.95, 900, 25, 500, 30, 300)));
    for (GateKind kind : new GateKind[] {GateKind.QUALITY, GateKind.ERROR_RATE, GateKind.LATENCY}) {
      Verdict forward = gate(ab, kind);
      Verdict backward = gate(ba, kind);
      assertEquals(-forward.estimate(), backward.estimate(), 1e-12, kind.name());
      assertEquals(-forward.upper(), backward.lower(), 1e-12, kind.name());
      assertEquals(-forward.lower(), backward.upper(), 1e-12, kind.name());
    }
  }

  @Test
  void sameInputSameResult() {
    AnalysisInput in = input(arm(250, 0.66, 0.21), arm(260, 0.7, 0.19));
    assertEquals(CanaryAnalysis.analyse(in), CanaryAnalysis.analyse(in));
    assertEquals(
        CanaryAnalysis.analyse(in).overall().decision(),
        CanaryAnalysis.of(in.gates()).decision(in));
  }

  @Test
  void rareErrorsSeenEarlyDoNotProduceAZeroWidthBound() {
    // 3 errors against none after 40 requests: raw rates 0.075 vs 0, a plain normal
    // approximation would give V = 0.075 * 0.925 / 40 + 0 and a far too narrow bound.
    ArmSummary canary = Inputs.withErrors(arm(40, 0.7, 0.2), 3);
    ArmSummary stable = Inputs.withErrors(arm(40, 0.7, 0.2), 0);
    Verdict errors = gate(CanaryAnalysis.analyse(input(canary, stable)), GateKind.ERROR_RATE);
    assertEquals(Decision.INCONCLUSIVE, errors.decision());
    assertTrue(errors.lower() < 0, "the bound still admits no increase");
  }

  @Test
  void safetyCeilingRollsBackEvenWhenTheStableIsAsBad() {
    ArmSummary canary = Inputs.withSafetyFlags(arm(5_000, 0.7, 0.2), 250); // 5%
    ArmSummary stable = Inputs.withSafetyFlags(arm(5_000, 0.7, 0.2), 250);
    Verdict safety = gate(CanaryAnalysis.analyse(input(canary, stable)), GateKind.SAFETY_RATE);
    assertEquals(Decision.REGRESSION, safety.decision());
    assertTrue(safety.reason().contains("ceiling"), safety.reason());
  }

  @Test
  void latencyTailRegressionIsCaughtFromExceedanceCounts() {
    // 12% of canary requests above the baseline p95 instead of 5%.
    AnalysisInput in =
        new AnalysisInput(
            GatesConfig.defaults(),
            5_000,
            arm(2_000, 0.7, 0.2),
            arm(2_000, 0.7, 0.2),
            Inputs.latency(2_000, 240, 2_000));
    Verdict latency = gate(CanaryAnalysis.analyse(in), GateKind.LATENCY, "p95");
    assertEquals(Decision.REGRESSION, latency.decision());
    assertEquals(0.07, latency.estimate(), 1e-12);
  }

  @Test
  void costUsesTheRelativeTolerance() {
    ArmSummary dearer = Inputs.withCost(arm(1_000, 0.7, 0.2), 1.3, 0.3);
    assertEquals(
        Decision.REGRESSION,
        gate(CanaryAnalysis.analyse(input(dearer, arm(1_000, 0.7, 0.2))), GateKind.COST)
            .decision());
    ArmSummary slightlyDearer = Inputs.withCost(arm(300, 0.7, 0.2), 1.05, 0.3);
    Verdict cost =
        gate(CanaryAnalysis.analyse(input(slightlyDearer, arm(300, 0.7, 0.2))), GateKind.COST);
    assertEquals(
        Decision.INCONCLUSIVE,
        cost.decision(),
        "5% dearer: inside the 10% tolerance, not yet shown");
    assertEquals(0.05, cost.estimate(), 1e-12);
  }

  /**
   * Even split, relative tolerance 0.2: tol = 0.1, k = 0.25 / 0.01 - 1 = 24, prior Beta(12, 12).
   * 600 canary / 400 baseline: ln BF = lnB(612, 412) - lnB(12, 12) + 1000 ln 2 = 17.7899 > ln 1000
   * = 6.9078, a mismatch. 520 / 480: ln BF = -1.1047, consistent.
   */
  @Test
  void sampleRatioBayesFactorMatchesHandComputedValues() {
    SampleRatioCheck check = new SampleRatioCheck(GatesConfig.defaults().sampleRatio());
    assertEquals(17.789942, check.logBayesFactor(0.5, 600, 400), 1e-5);
    assertEquals(-1.104666, check.logBayesFactor(0.5, 520, 480), 1e-5);

    AnalysisResult mismatch = CanaryAnalysis.analyse(input(arm(600, 0.7, 0.2), arm(400, 0.7, 0.2)));
    Verdict srm = gate(mismatch, GateKind.SAMPLE_RATIO);
    assertEquals(Decision.SAMPLE_RATIO_MISMATCH, srm.decision());
    assertTrue(srm.lower() > 0.5, "the always-valid bounds exclude the configured share");
    assertEquals(0.6, srm.estimate(), 1e-12);

    Verdict fine =
        gate(
            CanaryAnalysis.analyse(input(arm(520, 0.7, 0.2), arm(480, 0.7, 0.2))),
            GateKind.SAMPLE_RATIO);
    assertEquals(Decision.NON_INFERIOR, fine.decision());
    assertTrue(fine.lower() > 0.4 && fine.upper() < 0.6, "verified within 0.5 +/- 0.1");
  }

  /**
   * Weight 10%, tol 0.02, k = 0.09 / 0.0004 - 1 = 224. With 100 / 900 the share is exactly 10% but
   * ln L(0.08) = -327.62 and ln L(0.12) = -327.08 are still above the cut lnB(122.4, 1101.6) -
   * lnB(22.4, 201.6) - ln 1000 = -332.84: a 2-point mismatch is not yet ruled out, so the rollout
   * waits. With 1,000 / 9,000 both ends fall below the cut (-3276.2, -3270.8 < -3259.7).
   */
  @Test
  void promotionWaitsUntilTheSplitIsVerifiedWithinTolerance() {
    AnalysisInput early =
        new AnalysisInput(
            GatesConfig.defaults(),
            1_000,
            arm(100, 0.7, 0.2),
            arm(900, 0.7, 0.2),
            Inputs.latency(100, 900));
    assertEquals(
        Decision.INCONCLUSIVE,
        gate(CanaryAnalysis.analyse(early), GateKind.SAMPLE_RATIO).decision());
    AnalysisInput later =
        new AnalysisInput(
            GatesConfig.defaults(),
            1_000,
            arm(1_000, 0.7, 0.2),
            arm(9_000, 0.7, 0.2),
            Inputs.latency(1_000, 9_000));
    Verdict verified = gate(CanaryAnalysis.analyse(later), GateKind.SAMPLE_RATIO);
    assertEquals(Decision.NON_INFERIOR, verified.decision());
    assertTrue(verified.lower() > 0.08 && verified.upper() < 0.12);
  }

  @Test
  void sampleRatioMismatchBlocksEvenAClearVerdict() {
    AnalysisResult promotable =
        CanaryAnalysis.analyse(input(arm(5_000, 0.7, 0.2), arm(5_000, 0.7, 0.2)));
    assertEquals(
        Decision.NON_INFERIOR, promotable.overall().decision(), promotable.overall().reason());

    AnalysisInput skewed =
        new AnalysisInput(
            GatesConfig.defaults(),
            4_000,
            arm(5_000, 0.7, 0.2),
            arm(5_000, 0.7, 0.2),
            Inputs.latency(5_000, 5_000));
    AnalysisResult blocked = CanaryAnalysis.analyse(skewed);
    assertEquals(Decision.SAMPLE_RATIO_MISMATCH, blocked.overall().decision());
    assertEquals(
        Decision.SAMPLE_RATIO_MISMATCH, CanaryAnalysis.of(skewed.gates()).decision(skewed));
    assertTrue(blocked.overall().reason().startsWith("blocked"), blocked.overall().reason());
  }

  @Test
  void overallNeedsEveryGateAndAnyRegressionWins() {
    GatesConfig nonInferiority =
        Inputs.withErrorGate(
            GatesConfig.defaults().errorRate().withMode(GateMode.NON_INFERIORITY, 0));
    ArmSummary same = arm(300, 0.7, 0.2);
    AnalysisResult waiting =
        CanaryAnalysis.analyse(
            new AnalysisInput(
                nonInferiority, 5_000, same, same, List.of(Inputs.cut(0.95, 300, 15, 300))));
    assertNotEquals(
        Decision.NON_INFERIOR,
        waiting.overall().decision(),
        "300 requests cannot bound a 1% error rate within one point yet");
    assertTrue(waiting.overall().reason().contains("error_rate"), waiting.overall().reason());

    assertEquals(
        Decision.REGRESSION,
        CanaryAnalysis.combine(
            new Decision[] {
              Decision.NON_INFERIOR, Decision.INSUFFICIENT_DATA, Decision.REGRESSION
            }));
    assertEquals(
        Decision.INSUFFICIENT_DATA,
        CanaryAnalysis.combine(
            new Decision[] {
              Decision.NON_INFERIOR, Decision.INCONCLUSIVE, Decision.INSUFFICIENT_DATA
            }));
    assertEquals(
        Decision.INCONCLUSIVE,
        CanaryAnalysis.combine(new Decision[] {Decision.NON_INFERIOR, Decision.INCONCLUSIVE}));
    assertEquals(
        Decision.NON_INFERIOR,
        CanaryAnalysis.combine(new Decision[] {Decision.NON_INFERIOR, Decision.NON_INFERIOR}));
  }

  @Test
  void alphaIsSplitOverEnabledGatesOnly() {
    GatesConfig defaults = GatesConfig.defaults();
    Map<GateKind, Double> alphas = CanaryAnalysis.gateAlphas(defaults);
    assertEquals(0.05, alphas.values().stream().mapToDouble(Double::doubleValue).sum(), 1e-12);
    assertEquals(0.045, alphas.get(GateKind.QUALITY), 1e-12);

    QualityGate q = defaults.quality();
    GatesConfig withoutQuality =
        new GatesConfig(
            defaults.alpha(),
            defaults.minimumSamples(),
            new QualityGate(false, q.alphaShare(), q.margin(), q.minimumEffect(), q.tau(), false),
            defaults.errorRate(),
            defaults.safety(),
            defaults.latency(),
            defaults.cost(),
            defaults.sampleRatio(),
            defaults.judgeHealth(),
            null,
            null);
    Map<GateKind, Double> rest = CanaryAnalysis.gateAlphas(withoutQuality);
    assertFalse(rest.containsKey(GateKind.QUALITY));
    assertEquals(0.0125, rest.get(GateKind.ERROR_RATE), 1e-12);
  }

  @Test
  void rejectsAnInputWithOtherGates() {
    CanaryAnalysis analysis = CanaryAnalysis.of(GatesConfig.defaults());
    GatesConfig other =
        new GatesConfig(
            0.01,
            30,
            QualityGate.defaults(),
            GatesConfig.defaults().errorRate(),
            GatesConfig.defaults().safety(),
            GatesConfig.defaults().latency(),
            GatesConfig.defaults().cost(),
            GatesConfig.defaults().sampleRatio(),
            GatesConfig.defaults().judgeHealth(),
            null,
            null);
    AnalysisInput in =
        new AnalysisInput(
            other, 5_000, arm(100, 0.7, 0.2), arm(100, 0.7, 0.2), Inputs.latency(100, 100));
    assertThrows(IllegalArgumentException.class, () -> analysis.decision(in));
  }

  /** The workflow carries these through Temporal's Jackson converter. */
  @Test
  void verdictsAndGatesSurviveJson() throws Exception {
    ObjectMapper json = new ObjectMapper();
    GatesConfig gates = GatesConfig.defaults();
    assertEquals(gates, json.readValue(json.writeValueAsString(gates), GatesConfig.class));
    AnalysisResult result = CanaryAnalysis.analyse(input(arm(10, 0.7, 0.2), arm(10, 0.7, 0.2)));
    for (Verdict v : result.gates()) {
      assertEquals(v, json.readValue(json.writeValueAsString(v), Verdict.class));
    }
    assertEquals(
        result.overall(), json.readValue(json.writeValueAsString(result.overall()), Verdict.class));
  }
}
