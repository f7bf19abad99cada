package dev.promptcanary.activities.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LatencyBucketsTest {
  @Test
  void routingPropagationKeepsItsSevenEdgesFrom50MillisecondsTo5Seconds() {
    assertThat(LatencyBuckets.between(Duration.ofMillis(50), Duration.ofSeconds(5)))
        .containsExactly(
            Duration.ofMillis(50),
            Duration.ofMillis(100),
            Duration.ofMillis(250),
            Duration.ofMillis(500),
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofSeconds(5));
  }

  @Test
  void requestsTakeTheWholeLadderAndARangeBetweenRungsTakesNone() {
    Duration[] all = LatencyBuckets.between(Duration.ofMillis(1), Duration.ofSeconds(10));
    assertThat(all).hasSize(13).startsWith(Duration.ofMillis(1)).endsWith(Duration.ofSeconds(10));
    assertThat(LatencyBuckets.between(Duration.ofMillis(3), Duration.ofMillis(4))).isEmpty();
  }
}
