package dev.promptcanary.workflows.domain;

/**
 * Judge health: the quality gate is only as good as the judge's sample. A judge that fails or times
 * out often, or whose scores come from one arm more than its share of traffic, gives biased data
 * (e.g. it fails on the canary's longer answers and scores only the easy ones), so the rollout
 * holds instead of deciding on it. Guardrails that do not depend on the judge (errors, safety
 * flags, latency, cost, the traffic split) still roll back.
 *
 * @param enabled whether judge health is checked
 * @param maxFailureShare the largest tolerated share of judge attempts that failed (or were scored
 *     by another judge than the rollout's); the rollout holds once the share is shown above it at
 *     {@code alpha}
 * @param maxImbalance the largest tolerated relative difference between the arms' share of judge
 *     scores and their share of traffic: 0.25 at a 10% canary weight means the canary's share of
 *     scores must stay within 7.5%..12.5%
 * @param alpha error rate of both checks, applied at every look (they only hold, never roll back)
 * @param minimumAttempts judge attempts of the stage before the failure share is judged
 */
public record JudgeHealthGate(
    boolean enabled,
    double maxFailureShare,
    double maxImbalance,
    double alpha,
    int minimumAttempts) {

  public JudgeHealthGate {
    GateChecks.effect("maxFailureShare", maxFailureShare, 1);
    if (!(maxImbalance > 0 && maxImbalance < 1)) {
      throw new IllegalArgumentException("maxImbalance must be in (0, 1), got " + maxImbalance);
    }
    if (!(alpha > 0 && alpha < 0.5)) {
      throw new IllegalArgumentException("alpha must be in (0, 0.5), got " + alpha);
    }
    if (minimumAttempts < 1) {
      throw new IllegalArgumentException("minimumAttempts must be >= 1, got " + minimumAttempts);
    }
  }

  /**
   * Hold above 10% failures or a 25% imbalance between the arms, each shown at alpha 0.001; from 20
   * attempts.
   */
  public static JudgeHealthGate defaults() {
    return new JudgeHealthGate(true, 0.10, 0.25, 0.001, 20);
  }
}
