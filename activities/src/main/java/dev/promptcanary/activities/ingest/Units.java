package dev.promptcanary.activities.ingest;

/**
 * The randomisation unit of a request. A request reported without a unit is its own unit, named
 * {@code chr(31) + "request:" + requestId} (migration V5 names old rows the same way): ingest
 * refuses control characters in the units clients send, so no real unit can take that name.
 */
public final class Units {
  /** What client units may not contain; {@link #ofRequest} names start with one of them. */
  public static final String NO_CONTROL_CHARACTERS = "[^\\p{Cntrl}]*";

  public static final String NO_CONTROL_CHARACTERS_MESSAGE = "must not contain control characters";

  private static final String OWN_UNIT_PREFIX = "\u001frequest:";

  private Units() {}

  /** The unit a request without one stands for: itself. */
  public static String ofRequest(String requestId) {
    return OWN_UNIT_PREFIX + requestId;
  }

  /** {@code unit}, or the request's own unit when the client sent none. */
  public static String orRequest(String unit, String requestId) {
    return unit == null || unit.isEmpty() ? ofRequest(requestId) : unit;
  }

  /** Whether {@code unit} is a request standing for itself (no client unit). */
  public static boolean isOwnUnit(String unit) {
    return unit != null && unit.startsWith(OWN_UNIT_PREFIX);
  }
}
