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

  /**
   * The settings every comparison gate starts with, checked in this order: its alpha share, then
   * its margin and minimum effect, each in [0, maxEffect].
   */
  static void shareAndEffects(
      double alphaShare, double margin, double minimumEffect, double maxEffect) {
    share(alphaShare);
    effect("margin", margin, maxEffect);
    effect("minimumEffect", minimumEffect, maxEffect);
  }

  /** {@link #shareAndEffects}, then {@link #tau(double, double)}. */
  static void comparison(
      double alphaShare, double margin, double minimumEffect, double maxEffect, double tau) {
    shareAndEffects(alphaShare, margin, minimumEffect, maxEffect);
    tau(tau, margin);
  }

  static void tau(double tau) {
    if (!(tau >= 0) || Double.isInfinite(tau)) {
      throw new GateConfigException("tau", "must be >= 0 (0 = tuned to the margin), got " + tau);
    }
  }

  /** {@link #tau(double)}, and a margin to tune to when tau is 0. */
  static void tau(double tau, double margin) {
    tau(tau);
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
