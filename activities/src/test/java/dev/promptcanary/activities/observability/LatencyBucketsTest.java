package dev.promptcanary.activities.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class LatencyBucketsTest {
  @Test
  void routingPropagationKeepsItsSevenEdgesFrom50MillisecondsTo5Seconds() {
    assertThat(LatencyBuckets.between(Duration.ofMillis(50), Duration.ofSeconds(5)))
        .containsExactly(
            Stream.of(50, 100, 250, 500, 1000, 2000, 5000)
                .map(Duration::ofMillis)
                .toArray(Duration[]::new));
  }

  @Test
  void requestsTakeTheWholeLadderAndARangeBetweenRungsTakesNone() {
    Duration[] all = LatencyBuckets.between(Duration.ofMillis(1), Duration.ofSeconds(10));
    assertThat(all).hasSize(13).startsWith(Duration.ofMillis(1)).endsWith(Duration.ofSeconds(10));
    assertThat(LatencyBuckets.between(Duration.ofMillis(3), Duration.ofMillis(4))).isEmpty();
  }
}
