package dev.promptcanary.workflows.domain;

/**
 * Sample ratio mismatch check: is the observed canary share consistent with the configured weight?
 * A mismatch means the arms are no longer comparable (a routing or logging bug), so it blocks
 * promotion as its own decision instead of being weighed against the other gates. Promotion also
 * needs the opposite shown: the observed share must be bounded within the tolerance of the weight,
 * so that a mismatch of that size can never be promoted, only at worst left waiting.
 *
 * @param enabled whether the check runs
 * @param alpha its own error rate, kept strict (0.001) because it runs at every look and is not
 *     part of the false-rollback budget
 * @param relativeTolerance the mismatch, relative to the smaller arm's share, that must be ruled
 *     out before promotion and that the test is tuned to detect fastest: 0.2 means 10% +/- 2
 *     points, 5% +/- 1 point, 50% +/- 10 points
 */
public record SrmGate(boolean enabled, double alpha, double relativeTolerance) {

  public SrmGate {
    if (!(alpha > 0 && alpha < 0.5)) {
      throw new IllegalArgumentException("alpha must be in (0, 0.5), got " + alpha);
    }
    if (!(relativeTolerance > 0 && relativeTolerance < 1)) {
      throw new IllegalArgumentException(
          "relativeTolerance must be in (0, 1), got " + relativeTolerance);
    }
  }

  public static SrmGate defaults() {
    return new SrmGate(true, 0.001, 0.2);
  }
}
