package dev.promptcanary.activities.stats;

import static dev.promptcanary.activities.stats.CanaryAnalysisTest.gate;
import static dev.promptcanary.activities.stats.Inputs.arm;
import static dev.promptcanary.activities.stats.Inputs.input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.FeedbackGate;
import dev.promptcanary.workflows.domain.GateConfigException;
import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.domain.GateMode;
import dev.promptcanary.workflows.domain.GatesConfig;
import dev.promptcanary.workflows.domain.LatencyGate;
import dev.promptcanary.workflows.domain.MetricGate;
import dev.promptcanary.workflows.domain.MetricGate.Direction;
import dev.promptcanary.workflows.domain.MetricGate.Kind;
import dev.promptcanary.workflows.domain.MetricGate.Role;
import dev.promptcanary.workflows.domain.RateGate;
import dev.promptcanary.workflows.domain.Verdict;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Gate modes, relative margins, the MDE, latency quantiles, feedback and custom metrics. */
class GateModesTest {

  private static ArmSummary withFeedback(ArmSummary a, UnitSums feedback) {
    return new ArmSummary(
        a.units(),
        a.observations(),
        a.quality(),
        a.errors(),
        a.safetyFlags(),
        a.cost(),
        feedback,
        a.metrics());
  }

  private static ArmSummary withMetric(ArmSummary a, String name, UnitSums values) {
    return new ArmSummary(
        a.units(),
        a.observations(),
        a.quality(),
        a.errors(),
        a.safetyFlags(),
        a.cost(),
        a.feedback(),
        Map.of(name, values));
  }

  /**
   * The hand-computed quality look of CanaryAnalysisTest: V = 0.0008, radius 0.081963. MDE = 0 +
   * 0.081963 + z_0.8 sqrt(V) = 0.081963 + 0.841621 * 0.0282843 = 0.105767.
   */
  @Test
  void everyVerdictReportsTheSmallestEffectItDetectsWith80PercentPower() {
    AnalysisResult result = CanaryAnalysis.analyse(input(arm(100, 0.60, 0.2), arm(100, 0.70, 0.2)));
    Verdict quality = gate(result, GateKind.QUALITY, null);
    assertTrue(quality.reason().endsWith("80% power to detect a drop of 0.1058"), quality.reason());
    for (Verdict v : result.gates()) {
      if (v.gate() != GateKind.SAMPLE_RATIO && v.decision() != Decision.INSUFFICIENT_DATA) {
        assertTrue(v.reason().contains("80% power to detect a"), v.reason());
      }
    }
  }

  /**
   * 1,000 requests per arm, 10 errors each: the error bound is still far wider than the 0.5-point
   * margin, but in harm-detection mode (the default) that does not hold the promotion; the
   * promotion's reason says what was not ruled out.
   */
  @Test
  void harmDetectionGatesDoNotHoldThePromotion() {
    AnalysisResult result =
        CanaryAnalysis.analyse(input(arm(1_000, 0.7, 0.2), arm(1_000, 0.7, 0.2)));
    Verdict errors = gate(result, GateKind.ERROR_RATE, null);
    assertEquals(Decision.INCONCLUSIVE, errors.decision());
    assertTrue(errors.reason().contains("does not hold the promotion"), errors.reason());
    assertEquals(Decision.NON_INFERIOR, result.overall().decision(), result.overall().reason());
    assertTrue(result.overall().reason().contains("error_rate 0.0"), result.overall().reason());

    // The same look with the error gate in non-inferiority mode waits for it.
    GatesConfig strict =
        Inputs.withErrorGate(
            GatesConfig.defaults().errorRate().withMode(GateMode.NON_INFERIORITY, 0));
    AnalysisInput in =
        new AnalysisInput(
            strict,
            5_000,
            arm(1_000, 0.7, 0.2),
            arm(1_000, 0.7, 0.2),
            Inputs.latency(1_000, 1_000));
    AnalysisResult waiting = CanaryAnalysis.analyse(in);
    assertEquals(Decision.INCONCLUSIVE, waiting.overall().decision());
    assertTrue(waiting.overall().reason().contains("keep waiting on error_rate"));
    assertEquals(Decision.INCONCLUSIVE, CanaryAnalysis.of(strict).decision(in));
  }

  /**
   * Harm detection with a minimum power of 0.8 on a 1-point absolute margin holds until the sample
   * would catch a 1-point rise 80% of the time: not at 1,000 requests per arm (the MDE is above the
   * margin), but at 20,000 (MDE well below it).
   */
  @Test
  void aMinimumPowerHoldsUntilTheSampleCanDetectTheMargin() {
    RateGate powered =
        new RateGate(true, 0.02, 0.01, 0, 1, 0, GateMode.HARM_DETECTION, 0, 0.8, false);
    GatesConfig gates = Inputs.withErrorGate(powered);
    for (long n : new long[] {1_000, 20_000}) {
      AnalysisInput in =
          new AnalysisInput(gates, 5_000, arm(n, 0.7, 0.2), arm(n, 0.7, 0.2), Inputs.latency(n, n));
      AnalysisResult result = CanaryAnalysis.analyse(in);
      Verdict errors = gate(result, GateKind.ERROR_RATE, null);
      double mde = Double.parseDouble(errors.reason().replaceAll(".*detect a rise of ", ""));
      if (n == 1_000) {
        assertTrue(mde > 0.01, errors.reason());
        assertTrue(errors.reason().contains("holds the promotion until 80% power"));
        assertEquals(Decision.INCONCLUSIVE, result.overall().decision());
        assertTrue(result.overall().reason().contains("keep waiting on error_rate"));
      } else {
        assertTrue(mde < 0.01, errors.reason());
        assertEquals(Decision.NON_INFERIOR, result.overall().decision());
      }
      assertEquals(result.overall().decision(), CanaryAnalysis.of(gates).decision(in));
    }
  }

  /**
   * Relative margins: max(0.002, 0.5 * baseline rate). At a 0.1% base the floor 0.002 applies, at
   * 10% the margin is 0.05. A x3 rise at a 0.1% base (0.3% vs 0.1%) is a regression at 50,000
   * requests per arm. At 5,000 per arm (15 vs 5 errors) the old absolute 1-point non-inferiority
   * gate promotes it (its upper bound is below 0.01); a relative margin with a minimum power of 0.8
   * holds instead, since that sample could not yet detect a 0.2-point rise.
   */
  @Test
  void rateMarginsMayBeRelativeToTheStableRate() {
    long n = 50_000;
    ArmSummary low = Inputs.withErrors(arm(n, 0.7, 0.2), 50);
    ArmSummary tripled = Inputs.withErrors(arm(n, 0.7, 0.2), 150);
    ArmSummary high = Inputs.withErrors(arm(n, 0.7, 0.2), 5_000);
    Verdict lowBase = gate(CanaryAnalysis.analyse(input(low, low)), GateKind.ERROR_RATE, null);
    assertEquals(0.002, lowBase.threshold(), 1e-12);
    Verdict highBase = gate(CanaryAnalysis.analyse(input(high, high)), GateKind.ERROR_RATE, null);
    assertEquals(0.05, highBase.threshold(), 1e-12);
    assertEquals(Decision.NON_INFERIOR, highBase.decision());
    Verdict x3 = gate(CanaryAnalysis.analyse(input(tripled, low)), GateKind.ERROR_RATE, null);
    assertEquals(Decision.REGRESSION, x3.decision(), x3.reason());

    long small = 5_000;
    ArmSummary base = Inputs.withErrors(arm(small, 0.7, 0.2), 5);
    ArmSummary three = Inputs.withErrors(arm(small, 0.7, 0.2), 15);
    GatesConfig old =
        Inputs.withErrorGate(
            new RateGate(true, 0.02, 0.01, 0, 1, 0, GateMode.NON_INFERIORITY, 0, 0, false));
    AnalysisInput before = new AnalysisInput(old, 5_000, three, base, Inputs.latency(small, small));
    assertEquals(
        Decision.NON_INFERIOR,
        gate(CanaryAnalysis.analyse(before), GateKind.ERROR_RATE, null).decision(),
        "a x3 rise at 0.1% is inside an absolute 1-point margin");
    GatesConfig powered =
        Inputs.withErrorGate(
            GatesConfig.defaults().errorRate().withMode(GateMode.HARM_DETECTION, 0.8));
    AnalysisInput now =
        new AnalysisInput(powered, 5_000, three, base, Inputs.latency(small, small));
    AnalysisResult held = CanaryAnalysis.analyse(now);
    assertEquals(Decision.INCONCLUSIVE, gate(held, GateKind.ERROR_RATE, null).decision());
    assertNotEquals(Decision.NON_INFERIOR, held.overall().decision(), held.overall().reason());
    assertTrue(held.overall().reason().contains("error_rate"), held.overall().reason());
  }

  /**
   * A relative margin puts the baseline's rate into the margin as well as into the difference. With
   * 50,000 requests per arm, 135 canary errors (0.27%) against 75 (0.15%, a baseline running high)
   * and a +200% margin (floor 0.05 points) in non-inferiority mode: the difference's bound,
   * Agresti-Caffo centre 136/50002 - 76/50002 = 0.0012, is below the margin 2 * 0.0015 = 0.003, so
   * treating that margin as fixed promoted a canary at 1.8 times its baseline, at a margin the data
   * cannot place. The test of rate_c - 3 rate_b has centre (136 - 3 * 76) / 50002 = -0.00184 and
   * variance V_c + 9 V_b, at least 0.0027199 * 0.99728 / 50002 + 9 * 0.0015199 * 0.99848 / 50002 =
   * 3.274e-7 (sd 0.000572), so its radius, more than 4 sd (0.00229), does not clear 0:
   * inconclusive. With the canary at its baseline's rate (75 each) the same test has centre -0.003
   * and clears.
   */
  @Test
  void aRelativeMarginCountsTheStableNoiseInTheMargin() {
    long n = 50_000;
    RateGate relative =
        new RateGate(true, 0.02, 0.0005, 0, 1, 0, GateMode.NON_INFERIORITY, 2.0, 0, false);
    GatesConfig gates = Inputs.withErrorGate(relative);
    ArmSummary stable = Inputs.withErrors(arm(n, 0.7, 0.2), 75);
    ArmSummary doubled = Inputs.withErrors(arm(n, 0.7, 0.2), 135);
    Verdict x2 =
        gate(
            CanaryAnalysis.analyse(
                new AnalysisInput(gates, 5_000, doubled, stable, Inputs.latency(n, n))),
            GateKind.ERROR_RATE,
            null);
    assertEquals(0.003, x2.threshold(), 1e-12);
    assertTrue(x2.upper() < x2.threshold(), "the difference alone is inside 2 x 0.15%: " + x2);
    double centre = (136 - 3 * 76) / 50_002.0;
    double variance =
        136 / 50_002.0 * (1 - 136 / 50_002.0) / 50_002
            + 9 * 76 / 50_002.0 * (1 - 76 / 50_002.0) / 50_002;
    assertEquals(3.274e-7, variance, 0.001e-7);
    assertTrue(centre + 4 * Math.sqrt(variance) > 0);
    assertEquals(Decision.INCONCLUSIVE, x2.decision(), x2.reason());
    Verdict same =
        gate(
            CanaryAnalysis.analyse(
                new AnalysisInput(gates, 5_000, stable, stable, Inputs.latency(n, n))),
            GateKind.ERROR_RATE,
            null);
    assertEquals(Decision.NON_INFERIOR, same.decision(), same.reason());
  }

  /**
   * The minimum-power rule at a rare base rate (0.1%, +200% relative margin, power 0.9, iid, 50%)
   * holds exactly as long as the planner says: the canary's variance is taken at the harmed rate
   * (0.3%, three times the A/A variance) and the margin's own variance 4 V_b is counted, so an
   * identical canary is held at 0.8 times the planner's need and let go at 1.25 times it.
   */
  @Test
  void theMinimumPowerRuleHoldsAsLongAsThePlannerSays() {
    RateGate rare =
        new RateGate(true, 0.02, 0.0005, 0, 1, 0, GateMode.HARM_DETECTION, 2.0, 0.9, false);
    GatesConfig gates = Inputs.withErrorGate(rare);
    TrafficProfile profile = new TrafficProfile(3_600, 0.2, 0.001, 0.001, 0.3, 1, 1, List.of());
    long need =
        SamplePlanner.gateNeeds(gates, 5_000, profile).stream()
            .filter(g -> g.gate().equals("error_rate"))
            .findFirst()
            .orElseThrow()
            .canarySamples();
    assertTrue(need > 20_000 && need < 200_000, "need " + need);
    for (long n : new long[] {Math.round(0.8 * need), Math.round(1.25 * need)}) {
      ArmSummary a = Inputs.withErrors(arm(n, 0.7, 0.2), Math.round(0.001 * n));
      Verdict errors =
          gate(
              CanaryAnalysis.analyse(new AnalysisInput(gates, 5_000, a, a, Inputs.latency(n, n))),
              GateKind.ERROR_RATE,
              null);
      boolean early = n < need;
      assertEquals(
          early,
          errors.reason().contains("holds the promotion until 90% power"),
          n + ": " + errors.reason());
    }
  }

  /**
   * Three cuts, the latency alpha (0.001) split in three. A canary with 60% of its requests above
   * the baseline median (a slower median, same tail) is a regression at p50 only.
   */
  @Test
  void latencyIsTestedAtEachQuantileWithItsOwnVerdict() {
    GatesConfig gates = GatesConfig.defaults();
    assertEquals(List.of(0.5, 0.95, 0.99), gates.latency().quantiles());
    assertEquals(List.of(0.10, 0.05, 0.015), gates.latency().margins());
    long n = 2_000;
    List<LatencyCut> cuts =
        List.of(
            Inputs.cut(0.5, n, 1_200, n), Inputs.cut(0.95, n, 100, n), Inputs.cut(0.99, n, 20, n));
    AnalysisInput in = new AnalysisInput(gates, 5_000, arm(n, 0.7, 0.2), arm(n, 0.7, 0.2), cuts);
    AnalysisResult result = CanaryAnalysis.analyse(in);
    Verdict p50 = gate(result, GateKind.LATENCY, "p50");
    assertEquals(Decision.REGRESSION, p50.decision(), p50.reason());
    assertEquals(0.1, p50.estimate(), 1e-12);
    assertTrue(p50.reason().contains("alpha 0.0003333"), p50.reason());
    assertNotEquals(Decision.REGRESSION, gate(result, GateKind.LATENCY, "p95").decision());
    assertNotEquals(Decision.REGRESSION, gate(result, GateKind.LATENCY, "p99").decision());
    assertEquals(Decision.REGRESSION, result.overall().decision());
    assertTrue(result.overall().reason().contains("latency p50"), result.overall().reason());

    // A stage without a cut for a quantile yet: that quantile waits, without holding.
    AnalysisInput onlyP95 =
        new AnalysisInput(
            gates, 5_000, arm(n, 0.7, 0.2), arm(n, 0.7, 0.2), List.of(Inputs.cut(0.95, n, 100, n)));
    Verdict p99 = gate(CanaryAnalysis.analyse(onlyP95), GateKind.LATENCY, "p99");
    assertEquals(Decision.INSUFFICIENT_DATA, p99.decision());
    assertEquals("p99.9", LatencyGate.label(0.999));
  }

  /** Feedback is skipped until the stage has any, then a drop is rolled back. */
  @Test
  void feedbackIsSkippedWithoutDataAndRollsBackOnADrop() {
    AnalysisResult none = CanaryAnalysis.analyse(input(arm(1_000, 0.7, 0.2), arm(1_000, 0.7, 0.2)));
    Verdict skipped = gate(none, GateKind.FEEDBACK, null);
    assertEquals(Decision.INSUFFICIENT_DATA, skipped.decision());
    assertTrue(skipped.reason().contains("skipped"), skipped.reason());
    assertEquals(Decision.NON_INFERIOR, none.overall().decision(), none.overall().reason());

    ArmSummary unhappy =
        withFeedback(arm(1_000, 0.7, 0.2), UnitSums.iid(Inputs.scores(500, -0.2, 0.6)));
    ArmSummary happy =
        withFeedback(arm(1_000, 0.7, 0.2), UnitSums.iid(Inputs.scores(500, 0.1, 0.6)));
    AnalysisResult drop = CanaryAnalysis.analyse(input(unhappy, happy));
    Verdict feedback = gate(drop, GateKind.FEEDBACK, null);
    assertEquals(Decision.REGRESSION, feedback.decision(), feedback.reason());
    assertEquals(-0.3, feedback.estimate(), 1e-12);
    assertEquals(Decision.REGRESSION, drop.overall().decision());
  }

  @Test
  void customMetricsAreGatesNamedInTheirVerdicts() {
    MetricGate resolution =
        new MetricGate(
            "resolution", Kind.PROPORTION, Direction.DECREASE, 0.02, 0, 0, null, null, 0, 0, false);
    MetricGate csat =
        new MetricGate(
            "csat", Kind.MEAN, Direction.DECREASE, 0.1, 0, 0, null, Role.PRIMARY, 0, 0, false);
    assertEquals(GateMode.HARM_DETECTION, resolution.mode());
    assertEquals(GateMode.NON_INFERIORITY, csat.mode());
    assertEquals(0.9, csat.alphaShare(), 0);
    GatesConfig gates = Inputs.withMetrics(resolution, csat);
    long n = 2_000;
    ArmSummary canary =
        withMetric(arm(n, 0.7, 0.2), "resolution", UnitSums.iid(new Proportion(n, 1_000)));
    ArmSummary stable =
        withMetric(arm(n, 0.7, 0.2), "resolution", UnitSums.iid(new Proportion(n, 1_200)));
    AnalysisResult result =
        CanaryAnalysis.analyse(
            new AnalysisInput(gates, 5_000, canary, stable, Inputs.latency(n, n)));
    Verdict resolved = gate(result, GateKind.METRIC, "resolution");
    assertEquals(Decision.REGRESSION, resolved.decision(), resolved.reason());
    assertEquals(-0.1, resolved.estimate(), 1e-12);
    // The primary metric has no data: it holds (a primary metric is what the rollout is for).
    Verdict primary = gate(result, GateKind.METRIC, "csat");
    assertEquals(Decision.INSUFFICIENT_DATA, primary.decision());

    AnalysisResult fine =
        CanaryAnalysis.analyse(
            new AnalysisInput(gates, 5_000, stable, stable, Inputs.latency(n, n)));
    assertEquals(Decision.INSUFFICIENT_DATA, fine.overall().decision(), fine.overall().reason());
    assertTrue(fine.overall().reason().contains("metric csat"), fine.overall().reason());
    double csatAlpha = CanaryAnalysis.metricAlphas(gates).get("csat");
    assertEquals(0.05 * 0.9 / (1.0 + 0.02 + 0.9), csatAlpha, 1e-12);
  }

  @Test
  void invalidSettingsNameTheirField() {
    GateConfigException q =
        assertThrows(
            GateConfigException.class,
            () ->
                new LatencyGate(
                    true, 0.02, 0.95, 0.03, 0, 0, null, List.of(0.5, 1.2), null, 0, 0, false));
    assertEquals("quantiles[1]", q.field());
    GateConfigException order =
        assertThrows(
            GateConfigException.class,
            () ->
                new LatencyGate(
                    true, 0.02, 0.95, 0.03, 0, 0, null, List.of(0.95, 0.5), null, 0, 0, false));
    assertEquals("quantiles[1]", order.field());
    GateConfigException margins =
        assertThrows(
            GateConfigException.class,
            () ->
                new LatencyGate(
                    true,
                    0.02,
                    0.95,
                    0.03,
                    0,
                    0,
                    null,
                    List.of(0.5, 0.95),
                    List.of(0.05),
                    0,
                    0,
                    false));
    assertEquals("margins", margins.field());
    assertEquals(
        "promotionConfidence",
        assertThrows(
                GateConfigException.class,
                () -> GatesConfig.defaults().latency().withPromotionConfidence(1))
            .field());
    GateConfigException name =
        assertThrows(
            GateConfigException.class,
            () ->
                new MetricGate(
                    "Bad Name", Kind.MEAN, Direction.DECREASE, 1, 0, 0, null, null, 0, 0, false));
    assertEquals("name", name.field());
    GateConfigException primaryHarm =
        assertThrows(
            GateConfigException.class,
            () ->
                new MetricGate(
                    "csat",
                    Kind.MEAN,
                    Direction.DECREASE,
                    1,
                    0,
                    0,
                    GateMode.HARM_DETECTION,
                    Role.PRIMARY,
                    0,
                    0,
                    false));
    assertEquals("mode", primaryHarm.field());
    assertEquals(
        "minimumPower",
        assertThrows(
                GateConfigException.class,
                () ->
                    new RateGate(true, 0.02, 0.01, 0, 1, 0, GateMode.HARM_DETECTION, 0, 0.3, false))
            .field());
    MetricGate m =
        new MetricGate("m", Kind.MEAN, Direction.DECREASE, 1, 0, 0, null, null, 0, 0, false);
    GateConfigException twice =
        assertThrows(GateConfigException.class, () -> Inputs.withMetrics(m, m));
    assertEquals("metrics[1].name", twice.field());
  }

  /**
   * Specs recorded before modes, quantiles, feedback and metrics lack those fields: they read back
   * as the rollouts ran (non-inferiority, one p95 cut, no feedback gate, no metrics).
   */
  @Test
  void gatesRecordedBeforeTheNewFieldsReadBackAsTheyRan() throws Exception {
    ObjectMapper json = new ObjectMapper();
    ObjectNode tree = json.valueToTree(GatesConfig.defaults());
    tree.remove(List.of("feedback", "metrics"));
    for (String gate : List.of("errorRate", "safety", "latency", "cost")) {
      ((ObjectNode) tree.get(gate))
          .remove(
              List.of(
                  "mode",
                  "relativeMargin",
                  "minimumPower",
                  "quantiles",
                  "margins",
                  "promotionConfidence"));
    }
    GatesConfig old = json.treeToValue(tree, GatesConfig.class);
    assertEquals(GateMode.NON_INFERIORITY, old.errorRate().mode());
    assertEquals(0, old.errorRate().relativeMargin(), 0);
    assertEquals(GateMode.NON_INFERIORITY, old.cost().settings().mode());
    assertEquals(List.of(0.95), old.latency().quantiles());
    assertEquals(List.of(0.05), old.latency().margins());
    assertEquals(0, old.latency().promotionConfidence(), 0);
    assertFalse(old.feedback().settings().enabled());
    assertTrue(old.metrics().isEmpty());

    GatesConfig withMetric =
        Inputs.withMetrics(
            new MetricGate(
                "csat", Kind.MEAN, Direction.DECREASE, 0.1, 0.05, 0, null, null, 0, 0.8, false));
    assertEquals(
        withMetric, json.readValue(json.writeValueAsString(withMetric), GatesConfig.class));

    Verdict oldVerdict =
        json.readValue(
            "{\"gate\":\"QUALITY\",\"decision\":\"INCONCLUSIVE\",\"canaryN\":3,\"stableN\":4,"
                + "\"estimate\":0.0,\"lower\":-0.1,\"upper\":0.1,\"threshold\":-0.05,"
                + "\"reason\":\"r\"}",
            Verdict.class);
    assertNull(oldVerdict.metric());
    Verdict p95 =
        new Verdict(
            GateKind.LATENCY, Decision.INCONCLUSIVE, 1, 2, 0, -1, 1, 0.03, "r", "p95", false);
    assertEquals(p95, json.readValue(json.writeValueAsString(p95), Verdict.class));
  }

  /**
   * Each of 3 stages gets a third of alpha and of the SRM alpha; a stage's restart r spends 3/4 *
   * (1/4)^r of its share, so all its restarts together spend at most the share.
   */
  @Test
  void alphaIsSplitOverStagesAndRestarts() {
    GatesConfig d = GatesConfig.defaults();
    GatesConfig stage = d.perStage(3);
    assertEquals(0.05 / 3, stage.alpha(), 1e-15);
    assertEquals(0.001 / 3, stage.sampleRatio().alpha(), 1e-15);
    assertEquals(d, d.perStage(1));
    GatesConfig firstRestart = d.perStage(3, 1);
    assertEquals(0.05 / 3 * 3 / 16, firstRestart.alpha(), 1e-15);
    assertEquals(0.001 / 3 * 3 / 16, firstRestart.sampleRatio().alpha(), 1e-15);
    assertEquals(0.05 / 3 * 0.75, d.perStage(3, 0).alpha(), 1e-15);
    double spent = 0;
    for (int r = 0; r < 40; r++) {
      spent += GatesConfig.restartShare(r);
    }
    assertEquals(1, spent, 1e-12);
    assertThrows(IllegalArgumentException.class, () -> d.perStage(0));
  }

  @Test
  void aConfigurationWithoutComparisonOrEvidenceIsRecognised() {
    GatesConfig d = GatesConfig.defaults();
    assertTrue(d.hasComparisonGate());
    assertTrue(d.needsEvidenceToPromote());
    FeedbackGate f = d.feedback();
    GatesConfig harmOnly =
        new GatesConfig(
            d.alpha(),
            d.minimumSamples(),
            new dev.promptcanary.workflows.domain.QualityGate(false, 0.9, 0.05, 0, 0, false),
            d.errorRate(),
            d.safety(),
            d.latency().withPromotionConfidence(0),
            d.cost(),
            d.sampleRatio(),
            d.judgeHealth(),
            f,
            List.of());
    assertTrue(harmOnly.hasComparisonGate());
    assertFalse(harmOnly.needsEvidenceToPromote(), "harm detection alone promotes on no evidence");
    GatesConfig guarded =
        new GatesConfig(
            d.alpha(),
            d.minimumSamples(),
            harmOnly.quality(),
            d.errorRate(),
            d.safety(),
            d.latency(),
            d.cost(),
            d.sampleRatio(),
            d.judgeHealth(),
            f,
            List.of());
    assertFalse(
        guarded.needsEvidenceToPromote(),
        "the latency guard is skipped without latency data, so it is no evidence");
  }
}
