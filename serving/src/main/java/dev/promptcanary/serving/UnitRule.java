package dev.promptcanary.serving;

import java.util.Optional;

/**
 * Which units a resolve places: a session or user id is required (it is what keeps a caller on one
 * version) and at most {@value #MAX_LENGTH} characters, the length ingest stores. The server's
 * resolve and the SDK's local one refuse the same units in the same words.
 */
public final class UnitRule {
  public static final int MAX_LENGTH = 200;

  private UnitRule() {}

  /** What is wrong with {@code unit} as a resolve's unit, if anything. */
  public static Optional<String> problem(String unit) {
    if (unit == null || unit.isBlank()) {
      return Optional.of(
          "unit is required: the session or user id that keeps a caller on one version");
    }
    if (unit.length() > MAX_LENGTH) {
      return Optional.of("unit must be at most " + MAX_LENGTH + " characters");
    }
    return Optional.empty();
  }
}
