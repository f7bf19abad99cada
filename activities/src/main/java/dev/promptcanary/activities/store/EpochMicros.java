package dev.promptcanary.activities.store;

import java.time.Instant;

/** Instants travel to PostgreSQL as microseconds since the epoch, its own timestamp resolution. */
final class EpochMicros {
  private EpochMicros() {}

  static long of(Instant instant) {
    return Math.addExact(
        Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000L);
  }
}
