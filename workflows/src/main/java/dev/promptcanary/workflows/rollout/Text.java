package dev.promptcanary.workflows.rollout;

import java.util.Locale;

/** How the rollout writes numbers, people's text and failures into its timeline and reasons. */
final class Text {
  private Text() {}

  static String percent(int basisPoints) {
    return String.format(Locale.ROOT, "%.2f%%", basisPoints / 100.0);
  }

  /** People's text without control characters (a NUL cannot be stored in PostgreSQL text). */
  static String printable(String text) {
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints()
        .forEach(
            c ->
                out.appendCodePoint(
                    Character.isISOControl(c) && c != '\n' && c != '\t' ? '\uFFFD' : c));
    return out.toString();
  }

  /**
   * The innermost message of an activity failure: what actually went wrong, not Temporal's
   * wrapping.
   */
  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }
}
