package dev.promptcanary.activities.stats;

/** When a comparison has enough data for the normal approximation its bounds rest on. */
final class Samples {
  private Samples() {}

  /**
   * At least {@code minimum} items and {@code minimum} units in each arm: the delta-method variance
   * is estimated over units, so 300 requests in 3 sessions are 3 samples of it, not 300.
   */
  static boolean enough(UnitSums canary, UnitSums stable, int minimum) {
    return canary.n() >= minimum
        && stable.n() >= minimum
        && canary.units() >= minimum
        && stable.units() >= minimum;
  }
}
