package dev.promptcanary.activities.stats;

import static dev.promptcanary.activities.stats.CanaryAnalysisTest.gate;
import static dev.promptcanary.activities.stats.Inputs.arm;
import static dev.promptcanary.activities.stats.Inputs.withErrors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.domain.GateMode;
import dev.promptcanary.workflows.domain.GatesConfig;
import dev.promptcanary.workflows.domain.QualityGate;
import dev.promptcanary.workflows.domain.RateGate;
import dev.promptcanary.workflows.domain.Verdict;
import org.junit.jupiter.api.Test;

/**
 * A dry-run gate is evaluated and shown, never deciding; a notify-only look reports a regression
 * without making it the overall verdict. On real statistics: an error rate of 8% against 1%.
 */
class DryRunAndNotifyOnlyTest {

  private static RateGate dryRun(RateGate g) {
    return new RateGate(
        g.enabled(),
        g.alphaShare(),
        g.margin(),
        g.minimumEffect(),
        g.ceiling(),
        g.tau(),
        g.mode(),
        g.relativeMargin(),
        g.minimumPower(),
        true);
  }

  private static AnalysisInput look(GatesConfig gates) {
    // equal judged quality, the canary erring 8% of the time against the baseline's 1%
    ArmSummary canary = withErrors(arm(2_000, 0.7, 0.2), 160);
    ArmSummary stable = withErrors(arm(2_000, 0.7, 0.2), 20);
    return new AnalysisInput(gates, 5_000, canary, stable, Inputs.latency(2_000, 2_000));
  }

  @Test
  void theSameErrorRiseRollsBackAnEnforcedGate() {
    AnalysisResult enforced = CanaryAnalysis.analyse(look(GatesConfig.defaults()));
    assertEquals(Decision.REGRESSION, enforced.overall().decision(), enforced.overall().reason());
    assertFalse(gate(enforced, GateKind.ERROR_RATE, null).dryRun());
  }

  @Test
  void aDryRunGateThatWouldHaveRolledBackIsShownButDoesNotDecide() {
    GatesConfig gates = Inputs.withErrorGate(dryRun(GatesConfig.defaults().errorRate()));
    AnalysisInput in = look(gates);

    AnalysisResult result = CanaryAnalysis.analyse(in);

    Verdict errors = gate(result, GateKind.ERROR_RATE, null);
    assertTrue(errors.dryRun());
    assertEquals(Decision.REGRESSION, errors.decision(), "evaluated as ever");
    assertTrue(errors.reason().startsWith("dry run, not deciding: "), errors.reason());
    assertEquals(
        Decision.NON_INFERIOR,
        result.overall().decision(),
        "quality passes and the dry-run gate's regression does not count: "
            + result.overall().reason());
    assertEquals(Decision.NON_INFERIOR, CanaryAnalysis.of(gates).decision(in), "same fast path");
  }

  @Test
  void aNotifyOnlyLookReportsTheRegressionAndHoldsThePromotion() {
    AnalysisResult result = CanaryAnalysis.analyse(look(GatesConfig.defaults()), true);

    Verdict errors = gate(result, GateKind.ERROR_RATE, null);
    assertEquals(Decision.REGRESSION, errors.decision());
    assertFalse(errors.dryRun());
    assertEquals(Decision.INCONCLUSIVE, result.overall().decision(), result.overall().reason());
    assertTrue(
        result
            .overall()
            .reason()
            .startsWith("notify-only, regression not acted on (error_rate); keep waiting on"),
        result.overall().reason());
    assertTrue(result.overall().reason().contains("error_rate"));
  }

  @Test
  void gatesThatAreAllDryRunsCannotDecide() {
    GatesConfig d = GatesConfig.defaults();
    QualityGate q = d.quality();
    GatesConfig onlyDry =
        new GatesConfig(
            d.alpha(),
            d.minimumSamples(),
            new QualityGate(
                q.enabled(), q.alphaShare(), q.margin(), q.minimumEffect(), q.tau(), true),
            dryRun(d.errorRate()),
            d.safety(),
            d.latency(),
            d.cost(),
            d.sampleRatio(),
            d.judgeHealth(),
            d.feedback(),
            d.metrics());
    assertFalse(onlyDry.needsEvidenceToPromote(), "a dry-run quality gate is no evidence");
    assertTrue(onlyDry.hasComparisonGate(), "the other guardrails still decide");
    assertTrue(Inputs.withErrorGate(dryRun(d.errorRate())).needsEvidenceToPromote());

    GatesConfig none =
        new GatesConfig(
            d.alpha(),
            d.minimumSamples(),
            new QualityGate(
                q.enabled(), q.alphaShare(), q.margin(), q.minimumEffect(), q.tau(), true),
            dryRun(d.errorRate()),
            new RateGate(false, 0.02, 0.002, 0, 1, 0, GateMode.NON_INFERIORITY, 0, 0, false),
            new dev.promptcanary.workflows.domain.LatencyGate(
                false,
                0.02,
                0.95,
                0.05,
                0,
                0,
                dev.promptcanary.workflows.domain.GateMode.HARM_DETECTION,
                java.util.List.of(0.95),
                null,
                0,
                dev.promptcanary.workflows.domain.LatencyGate.DEFAULT_PROMOTION_CONFIDENCE,
                false),
            new dev.promptcanary.workflows.domain.CostGate(
                new dev.promptcanary.workflows.domain.ComparisonSettings(
                    false, 0.02, 0.1, 0.1, 0, GateMode.NON_INFERIORITY, 0, false)),
            d.sampleRatio(),
            d.judgeHealth(),
            dev.promptcanary.workflows.domain.FeedbackGate.off(),
            d.metrics());
    assertFalse(none.hasComparisonGate());
    assertThrows(IllegalArgumentException.class, () -> CanaryAnalysis.of(none));
  }
}
