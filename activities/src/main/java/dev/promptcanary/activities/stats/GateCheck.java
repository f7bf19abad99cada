package dev.promptcanary.activities.stats;

import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;

/**
 * One configured gate, ready to evaluate looks; built once per configuration by {@link
 * CanaryAnalysis}.
 */
interface GateCheck {
  GateKind kind();

  /** The decision and its numbers, no text. */
  GateOutcome evaluate(AnalysisInput input);

  /**
   * The decision alone; same arithmetic as {@link #evaluate}, may skip work only the bounds need.
   */
  default Decision decide(AnalysisInput input) {
    return evaluate(input).decision();
  }

  /**
   * One line for a human, written only when a {@link dev.promptcanary.workflows.domain.Verdict} is
   * wanted.
   */
  String reason(GateOutcome outcome);
}
