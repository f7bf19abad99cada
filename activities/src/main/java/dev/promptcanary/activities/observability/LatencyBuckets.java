package dev.promptcanary.activities.observability;

import java.time.Duration;
import java.util.List;

/**
 * The one ladder of latency histogram buckets (1-2-5 steps from 1 ms to 10 s), so that every timer
 * of the service shows the same edges on a dashboard; a timer takes the rungs of its own range.
 */
public final class LatencyBuckets {
  private static final List<Duration> LADDER =
      List.of(
          Duration.ofMillis(1),
          Duration.ofMillis(2),
          Duration.ofMillis(5),
          Duration.ofMillis(10),
          Duration.ofMillis(25),
          Duration.ofMillis(50),
          Duration.ofMillis(100),
          Duration.ofMillis(250),
          Duration.ofMillis(500),
          Duration.ofSeconds(1),
          Duration.ofSeconds(2),
          Duration.ofSeconds(5),
          Duration.ofSeconds(10));

  private LatencyBuckets() {}

  /** The rungs from {@code lowest} to {@code highest}, both included. */
  public static Duration[] between(Duration lowest, Duration highest) {
    return LADDER.stream()
        .filter(d -> d.compareTo(lowest) >= 0 && d.compareTo(highest) <= 0)
        .toArray(Duration[]::new);
  }
}
