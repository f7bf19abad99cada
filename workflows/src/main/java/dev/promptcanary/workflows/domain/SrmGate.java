package dev.promptcanary.workflows.domain;

/**
 * Sample ratio mismatch check: is the observed canary share consistent with the configured weight?
 * A mismatch means the arms are no longer comparable (a routing or logging bug), so it blocks
 * promotion as its own decision instead of being weighed against the other gates.
 *
 * @param enabled whether the check runs
 * @param alpha its own error rate, kept strict (0.001) because it runs at every look and is not
 *     part of the false-rollback budget
 * @param tolerance the absolute share deviation the test is tuned to detect fastest (0.02 = two
 *     percentage points); smaller and larger mismatches are still detected
 */
public record SrmGate(boolean enabled, double alpha, double tolerance) {

  public SrmGate {
    if (!(alpha > 0 && alpha < 0.5)) {
      throw new IllegalArgumentException("alpha must be in (0, 0.5), got " + alpha);
    }
    if (!(tolerance > 0 && tolerance < 0.5)) {
      throw new IllegalArgumentException("tolerance must be in (0, 0.5), got " + tolerance);
    }
  }

  public static SrmGate defaults() {
    return new SrmGate(true, 0.001, 0.02);
  }
}
