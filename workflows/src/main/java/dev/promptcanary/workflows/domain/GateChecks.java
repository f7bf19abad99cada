package dev.promptcanary.workflows.domain;

/** Argument checks shared by the gate configuration records; each names the setting it rejects. */
final class GateChecks {
  private GateChecks() {}

  static void share(double alphaShare) {
    if (!(alphaShare > 0 && alphaShare <= 1)) {
      throw new GateConfigException("alphaShare", "must be in (0, 1], got " + alphaShare);
    }
  }

  static void effect(String name, double value, double max) {
    if (!(value >= 0 && value <= max)) {
      throw new GateConfigException(name, "must be in [0, " + max + "], got " + value);
    }
  }

  static void tau(double tau, double margin) {
    if (!(tau >= 0) || Double.isInfinite(tau)) {
      throw new GateConfigException("tau", "must be >= 0 (0 = tuned to the margin), got " + tau);
    }
    if (tau == 0 && margin == 0) {
      throw new GateConfigException(
          "margin", "must be > 0: tau 0 means 'tune to the margin' (or set tau)");
    }
  }

  /** 0 (off) or a power in [0.5, 0.999]. */
  static void power(double minimumPower) {
    if (!(minimumPower == 0 || minimumPower >= 0.5 && minimumPower <= 0.999)) {
      throw new GateConfigException(
          "minimumPower", "must be 0 (off) or in [0.5, 0.999], got " + minimumPower);
    }
  }

  static GateMode mode(GateMode mode, GateMode absent) {
    return mode == null ? absent : mode;
  }
}
