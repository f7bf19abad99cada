package dev.promptcanary.activities.stats;

import java.util.Locale;

/** Wording shared by the gates' one-line reasons. */
final class Reasons {
  private Reasons() {}

  static String num(double value) {
    return String.format(Locale.ROOT, "%.4f", value);
  }

  static String percent(double fraction) {
    return String.format(Locale.ROOT, "%+.1f%%", 100 * fraction);
  }

  static String insufficient(String label, GateOutcome o, int minimumSamples) {
    return label
        + ": "
        + o.canaryN()
        + " canary / "
        + o.baselineN()
        + " baseline samples, need "
        + minimumSamples
        + " per arm (from at least as many units)";
  }

  /** "label est [lo, hi], alpha a: conclusion", formatted by {@code fmt}. */
  static String comparison(
      String label, GateOutcome o, Comparison c, java.util.function.DoubleFunction<String> fmt) {
    String head =
        label
            + " "
            + fmt.apply(o.estimate())
            + " ["
            + fmt.apply(o.lower())
            + ", "
            + fmt.apply(o.upper())
            + "] (n "
            + o.canaryN()
            + "/"
            + o.baselineN()
            + ", alpha "
            + String.format(Locale.ROOT, "%.4g", c.alpha())
            + "): ";
    String rollback = fmt.apply(c.rollbackThreshold());
    String threshold = fmt.apply(c.threshold());
    return switch (o.decision()) {
      case REGRESSION ->
          head
              + (c.higherIsWorse()
                  ? "whole bound above " + rollback + ", canary worse"
                  : "whole bound below " + rollback + ", canary worse");
      case NON_INFERIOR ->
          head
              + (c.higherIsWorse()
                  ? "upper bound below margin " + threshold + ", non-inferior"
                  : "lower bound clears margin " + threshold + ", non-inferior");
      case INCONCLUSIVE ->
          head
              + "bound still spans "
              + (c.higherIsWorse() ? rollback + " or " + threshold : threshold + " or " + rollback)
              + ", keep waiting";
      default -> head + o.decision();
    };
  }
}
