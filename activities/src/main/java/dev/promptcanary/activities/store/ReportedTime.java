package dev.promptcanary.activities.store;

import java.time.Instant;

/** The time an outcome is stored at: the app's own, else when the batch arrived. */
final class ReportedTime {
  private ReportedTime() {}

  static Instant orArrival(Instant reported, Instant arrivedAt, String item) {
    if (reported != null) {
      return reported;
    }
    if (arrivedAt == null) {
      throw new IllegalArgumentException(
          "'" + item + "' has no time of its own and the batch no arrival time");
    }
    return arrivedAt;
  }
}
