package dev.promptcanary.workflows.domain;

/** Argument checks shared by the gate configuration records; each names the setting it rejects. */
final class GateChecks {
  private GateChecks() {}

  static void share(double alphaShare) {
    if (!(alphaShare > 0 && alphaShare <= 1)) {
      throw new GateConfigException("alphaShare", "must be in (0, 1], got " + alphaShare);
    }
  }

  /**
   * The smallest non-zero margin or effect a gate takes. Below it no sample could ever show
   * anything (a margin of 1e-300 asks for more than 1e600 units), and the sample arithmetic of the
   * planner and the tests stops being finite.
   */
  static final double MIN_EFFECT = 1e-6;

  static void effect(String name, double value, double max) {
    if (!(value == 0 || value >= MIN_EFFECT && value <= max)) {
      throw new GateConfigException(
          name, "must be 0 or in [" + MIN_EFFECT + ", " + max + "], got " + value);
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
    if (!(tau == 0 || tau >= MIN_EFFECT && tau <= 1e6)) {
      throw new GateConfigException(
          "tau", "must be 0 (tuned to the margin) or in [" + MIN_EFFECT + ", 1e6], got " + tau);
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
