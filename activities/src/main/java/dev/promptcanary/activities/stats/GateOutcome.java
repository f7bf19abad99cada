package dev.promptcanary.activities.stats;

import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.domain.Verdict;

/**
 * A gate's numbers and decision before the human-readable reason is written: the simulation
 * benchmark looks thousands of times per rollout and only needs the decision, the workflow needs
 * the reason too, and both must come from the same arithmetic.
 *
 * @param ceilingBreached for the safety gate, whether the decision came from the absolute ceiling
 *     rather than from the difference
 */
record GateOutcome(
    GateKind gate,
    Decision decision,
    long canaryN,
    long baselineN,
    double estimate,
    double lower,
    double upper,
    double threshold,
    boolean ceilingBreached) {

  Verdict toVerdict(String reason) {
    return new Verdict(
        gate, decision, canaryN, baselineN, estimate, lower, upper, threshold, reason);
  }
}
