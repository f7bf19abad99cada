package dev.promptcanary.activities.ingest;

/**
 * The ranges of reported numbers. Every accepted value must be one the whole system carries: sums
 * of squares over a million requests stay far inside a double, and no look or metrics query can
 * overflow on what ingest let in (a cost of 1e200 once did).
 */
public final class Limits {
  /** A day, in milliseconds: no request the API measures takes longer. */
  public static final String MAX_LATENCY_MS = "86400000";

  /** Tokens of one request, in or out. */
  public static final int MAX_TOKENS = 10_000_000;

  /** Cost of one request, in whatever currency unit the app reports. */
  public static final String MAX_COST = "1000000";

  /** A team metric's value, either way. */
  public static final String MAX_METRIC_VALUE = "1000000000";

  public static final String MIN_METRIC_VALUE = "-1000000000";

  private Limits() {}
}
