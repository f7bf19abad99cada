package dev.promptcanary.activities.stats;

import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.domain.Verdict;

/**
 * A gate's numbers and decision before the human-readable reason is written: the simulation
 * benchmark looks thousands of times per rollout and only needs the decision, the workflow needs
 * the reason too, and both must come from the same arithmetic.
 *
 * @param metric which of the gate's verdicts (latency quantile label, custom metric name), or null
 * @param numbers what the look measured; a combined gate (the error rate with its ceiling, a
 *     notify-only regression) rules again on the same numbers
 * @param ceilingBreached for the safety gate, whether the decision came from the absolute ceiling
 *     rather than from the difference
 * @param holds whether this gate keeps the rollout from promoting: a non-inferiority gate until it
 *     is NON_INFERIOR, a harm-detection gate only while short of its minimum power
 */
record GateOutcome(
    GateKind gate,
    String metric,
    Decision decision,
    Numbers numbers,
    boolean ceilingBreached,
    boolean holds) {

  /**
   * @param threshold the non-inferiority threshold the bound was compared with
   * @param mde the smallest harm (in the gate's units, as a magnitude) the sample so far detects
   *     with 80% power; NaN when unknown (too little data)
   * @param guard while the promotion guard holds, the estimate (in the gate's own sign convention)
   *     it waits for; NaN when no guard holds
   */
  record Numbers(
      long canaryN,
      long stableN,
      double estimate,
      double lower,
      double upper,
      double threshold,
      double mde,
      double guard) {}

  /** What a dry-run gate's reason starts with: it is shown, never deciding. */
  static final String DRY_RUN_PREFIX = "dry run, not deciding: ";

  /**
   * @param dryRun whether the gate is set {@code dryRun}: the verdict says so, in its flag and its
   *     reason
   */
  Verdict toVerdict(String reason, boolean dryRun) {
    return new Verdict(
        gate,
        decision,
        numbers.canaryN(),
        numbers.stableN(),
        numbers.estimate(),
        numbers.lower(),
        numbers.upper(),
        numbers.threshold(),
        dryRun ? DRY_RUN_PREFIX + reason : reason,
        metric,
        dryRun);
  }

  GateOutcome with(Decision newDecision, boolean newCeilingBreached, boolean newHolds) {
    return new GateOutcome(gate, metric, newDecision, numbers, newCeilingBreached, newHolds);
  }
}
