package dev.promptcanary.activities.stats;

import dev.promptcanary.workflows.domain.GateMode;
import java.util.Locale;
import java.util.function.DoubleFunction;

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
        + o.numbers().canaryN()
        + " canary / "
        + o.numbers().stableN()
        + " stable samples, need "
        + minimumSamples
        + " per arm (from at least as many units)"
        + (o.holds() ? "" : "; harm detection only, does not hold the promotion");
  }

  /**
   * "label est [lo, hi] (n, alpha): conclusion; MDE", formatted by {@code fmt}; the MDE is the
   * smallest harm the sample so far detects with 80% power, so a promotion says what it did not
   * rule out.
   */
  static String comparison(String label, GateOutcome o, Comparison c, DoubleFunction<String> fmt) {
    String head =
        label
            + " "
            + fmt.apply(o.numbers().estimate())
            + " ["
            + fmt.apply(o.numbers().lower())
            + ", "
            + fmt.apply(o.numbers().upper())
            + "] (n "
            + o.numbers().canaryN()
            + "/"
            + o.numbers().stableN()
            + ", alpha "
            + String.format(Locale.ROOT, "%.4g", c.alpha())
            + "): ";
    String rollback = fmt.apply(c.rollbackThreshold());
    String threshold = fmt.apply(o.numbers().threshold());
    boolean harm = c.mode() == GateMode.HARM_DETECTION;
    String body =
        switch (o.decision()) {
          case REGRESSION ->
              (c.higherIsWorse()
                  ? "whole bound above " + rollback + ", canary worse"
                  : "whole bound below " + rollback + ", canary worse");
          case NON_INFERIOR ->
              (c.higherIsWorse()
                  ? "upper bound below margin " + threshold + ", non-inferior"
                  : "lower bound clears margin " + threshold + ", non-inferior");
          case INCONCLUSIVE ->
              harm
                  ? "no harm shown (bound not wholly past "
                      + rollback
                      + ")"
                      + (o.holds()
                          ? holding(o, c, fmt)
                          : "; harm detection, does not hold the promotion")
                  : "bound still spans "
                      + (c.higherIsWorse()
                          ? rollback + " or " + threshold
                          : threshold + " or " + rollback)
                      + ", keep waiting";
          default -> o.decision().toString();
        };
    return head + body + mde(o, c, fmt);
  }

  /**
   * Why a harm-detection gate holds: its promotion guard has not yet ruled the margin out, or else
   * its sample is short of the minimum power against it.
   */
  private static String holding(GateOutcome o, Comparison c, DoubleFunction<String> fmt) {
    String threshold = fmt.apply(o.numbers().threshold());
    if (Double.isNaN(o.numbers().guard())) {
      return "; holds the promotion until "
          + Math.round(100 * c.minimumPower())
          + "% power against the margin "
          + threshold;
    }
    return "; holds the promotion until a "
        + (c.higherIsWorse() ? "rise" : "drop")
        + " of "
        + threshold
        + " is ruled out at "
        + Math.round(100 * c.promotionConfidence())
        + "% (sequential probability ratio test: needs the estimate "
        + (c.higherIsWorse() ? "below " : "above ")
        + fmt.apply(o.numbers().guard())
        + ")";
  }

  /** "; 80% power to detect a rise of 0.0123" (or "drop"), when known. */
  static String mde(GateOutcome o, Comparison c, DoubleFunction<String> fmt) {
    if (Double.isNaN(o.numbers().mde())) {
      return "";
    }
    String magnitude = fmt.apply(o.numbers().mde());
    if (magnitude.startsWith("+")) {
      magnitude = magnitude.substring(1);
    }
    return "; 80% power to detect a " + (c.higherIsWorse() ? "rise" : "drop") + " of " + magnitude;
  }
}
