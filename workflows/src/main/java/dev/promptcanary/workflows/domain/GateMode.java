package dev.promptcanary.workflows.domain;

/**
 * How a guardrail gate takes part in the decision (see docs/statistics.md, "Gate modes").
 *
 * <p>Both modes roll back as soon as harm beyond the gate's {@code minimumEffect} is shown. They
 * differ in what a promotion needs from the gate.
 */
public enum GateMode {
  /**
   * Promote only once the always-valid bound shows the canary within the margin. Rules the margin
   * out for sure, at the cost of the samples that takes (thousands for a 1-point rate margin).
   */
  NON_INFERIORITY,
  /**
   * Roll back on shown harm, never hold the promotion for want of proof of no harm, unless the gate
   * sets a {@code minimumPower}: then it holds until the sample so far would have detected a harm
   * of the margin's size with that power. Every verdict reports the smallest harm the sample could
   * detect with 80% power, so what a promotion did not rule out is on record.
   */
  HARM_DETECTION
}
