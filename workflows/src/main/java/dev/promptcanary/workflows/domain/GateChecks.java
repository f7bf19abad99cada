package dev.promptcanary.workflows.domain;

/** Argument checks shared by the gate configuration records. */
final class GateChecks {
  private GateChecks() {}

  static void share(double alphaShare) {
    if (!(alphaShare > 0 && alphaShare <= 1)) {
      throw new IllegalArgumentException("alphaShare must be in (0, 1], got " + alphaShare);
    }
  }

  static void effect(String name, double value, double max) {
    if (!(value >= 0 && value <= max)) {
      throw new IllegalArgumentException(name + " must be in [0, " + max + "], got " + value);
    }
  }

  static void tau(double tau, double margin) {
    if (!(tau >= 0) || Double.isInfinite(tau)) {
      throw new IllegalArgumentException("tau must be >= 0 (0 = tuned to the margin), got " + tau);
    }
    if (tau == 0 && margin == 0) {
      throw new IllegalArgumentException("tau 0 means 'tune to the margin', so margin must be > 0");
    }
  }
}
