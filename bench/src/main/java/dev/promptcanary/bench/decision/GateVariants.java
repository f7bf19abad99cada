package dev.promptcanary.bench.decision;

import dev.promptcanary.workflows.domain.GatesConfig;
import java.util.function.UnaryOperator;

/** Gate configurations other than the defaults that some scenarios set. */
final class GateVariants {
  private GateVariants() {}

  /**
   * The error-rate gate for a 0.1% base rate: a relative margin with a minimum power. Not in the
   * engine yet (the stats helper's RateGate modes); until then the defaults.
   */
  static final String RARE_ERROR_NAME = "defaults (relative margin not in the engine yet)";

  static final UnaryOperator<GatesConfig> RARE_ERROR = g -> g;

  /** The per-stage configuration the rollout uses: a k-stage rollout gives each stage alpha / k. */
  static GatesConfig perStage(GatesConfig gates, int stageCount) {
    return stageCount <= 1 ? gates : gates.withAlpha(gates.alpha() / stageCount);
  }
}
