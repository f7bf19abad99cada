package dev.promptcanary.bench.decision;

import dev.promptcanary.workflows.domain.GateMode;
import dev.promptcanary.workflows.domain.GatesConfig;
import dev.promptcanary.workflows.domain.MetricGate;
import dev.promptcanary.workflows.domain.RateGate;
import java.util.List;
import java.util.function.UnaryOperator;

/** Gate configurations other than the defaults that some scenarios set. */
final class GateVariants {
  private GateVariants() {}

  /** Relative margin on the error rate at a 0.1% base: +200%, i.e. a x3 rate is the margin. */
  static final double RARE_ERROR_RELATIVE_MARGIN = 2.0;

  static final double RARE_ERROR_MINIMUM_POWER = 0.9;

  static final String RARE_ERROR_NAME =
      "harm detection, relative margin +200% (x3), minimum power 0.9";

  /**
   * The error-rate gate for a 0.1% base rate: harm detection on a relative margin of +200% (floor
   * 0.05 points), holding the promotion until the sample would detect that rise with 90% power.
   */
  static final UnaryOperator<GatesConfig> RARE_ERROR =
      g -> {
        RateGate e = g.errorRate();
        RateGate rare =
            new RateGate(
                e.enabled(),
                e.alphaShare(),
                0.0005,
                e.minimumEffect(),
                e.ceiling(),
                e.tau(),
                GateMode.HARM_DETECTION,
                RARE_ERROR_RELATIVE_MARGIN,
                RARE_ERROR_MINIMUM_POWER,
                false);
        return g.withErrorRate(rare);
      };

  /**
   * The session-level outcome metric every clustered session reports: "resolved" (0/1, once per
   * session), a guardrail in harm detection with a 0.05 margin, so that custom-metric gates are
   * live in the clustered scenarios too.
   */
  static GatesConfig withResolvedMetric(GatesConfig g) {
    MetricGate resolved =
        new MetricGate(
            "resolved",
            MetricGate.Kind.PROPORTION,
            MetricGate.Direction.DECREASE,
            0.05,
            0,
            0,
            GateMode.HARM_DETECTION,
            MetricGate.Role.GUARDRAIL,
            0,
            0,
            false);
    return g.withMetrics(List.of(resolved));
  }

  /**
   * The per-stage configuration the rollout uses: a k-stage rollout gives each stage alpha / k and
   * the sample ratio check's alpha / k ({@link GatesConfig#perStage(int)}).
   */
  static GatesConfig perStage(GatesConfig gates, int stageCount) {
    return gates.perStage(stageCount);
  }
}
