package dev.promptcanary.activities.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptcanary.activities.store.Fixtures;
import dev.promptcanary.serving.Arm;
import dev.promptcanary.serving.PromptVersion;
import dev.promptcanary.serving.Resolution;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Properties of sticky routing over many units. */
class BucketsTest {
  private static final int UNITS = 100_000;

  private static PromptVersion version(int n) {
    return new PromptVersion("p", n, "h" + n, Fixtures.content(n), List.of(), "ana", Instant.EPOCH);
  }

  private static Route route(String rolloutId, int weightBp) {
    RoutingState state = new RoutingState("p", 1, 2, weightBp, rolloutId, 1, Instant.EPOCH);
    return new Route(state, version(1), version(2));
  }

  @Test
  void fivePercentOfOneHundredThousandUnitsLandWithinHalfAPoint() {
    Route route = route("rollout-p-2", 500);
    int inCanary = 0;
    for (int i = 0; i < UNITS; i++) {
      if (route.resolve("user-" + i, null).arm() == Arm.CANARY) {
        inCanary++;
      }
    }
    assertThat(inCanary / (double) UNITS).isBetween(0.045, 0.055);
  }

  @Test
  void everyStageSplitIsAccurate() {
    for (int weight : new int[] {100, 2500, 5000, 9000}) {
      Route route = route("rollout-p-2", weight);
      int inCanary = 0;
      for (int i = 0; i < UNITS; i++) {
        inCanary += route.resolve("session-" + i, null).arm() == Arm.CANARY ? 1 : 0;
      }
      assertThat(inCanary / (double) UNITS)
          .isCloseTo(weight / 10_000.0, org.assertj.core.data.Offset.offset(0.005));
    }
  }

  @Test
  void aUnitGetsTheSameAnswerEveryTimeAndOnEveryNode() {
    Route one = route("rollout-p-2", 2500);
    Route other = route("rollout-p-2", 2500); // another node built the same route on its own
    Random random = new Random(7);
    for (int i = 0; i < 10_000; i++) {
      String unit = Long.toHexString(random.nextLong());
      Resolution first = one.resolve(unit, null);
      assertThat(one.resolve(unit, null)).isEqualTo(first);
      assertThat(other.resolve(unit, null).version()).isEqualTo(first.version());
    }
  }

  @Test
  void raisingTheWeightNeverMovesACanaryUnitBackToStable() {
    int[] stages = {500, 2500, 5000, 10000};
    for (int i = 0; i < UNITS; i++) {
      String unit = "u" + i;
      boolean wasCanary = false;
      for (int weight : stages) {
        boolean isCanary = route("rollout-p-2", weight).bucketOf(unit) < weight;
        assertThat(!wasCanary || isCanary)
            .as("unit %s left the canary at weight %d", unit, weight)
            .isTrue();
        wasCanary = isCanary;
      }
    }
    assertThat(route("rollout-p-2", 10000).resolve("anyone", null).arm()).isEqualTo(Arm.CANARY);
    assertThat(route("rollout-p-2", 0).resolve("anyone", null).arm()).isEqualTo(Arm.STABLE);
  }

  @Test
  void aNewRolloutDrawsAFreshCanaryPopulation() {
    Route first = route("rollout-p-2", 500);
    Route second = route("rollout-p-3", 500);
    int both = 0;
    int inFirst = 0;
    for (int i = 0; i < UNITS; i++) {
      boolean a = first.resolve("u" + i, null).arm() == Arm.CANARY;
      boolean b = second.resolve("u" + i, null).arm() == Arm.CANARY;
      inFirst += a ? 1 : 0;
      both += a && b ? 1 : 0;
    }
    // independent draws overlap in about 5% of the first canary, not in all of it
    assertThat(both / (double) inFirst).isLessThan(0.10);
  }

  @Test
  void aPinIsHonouredWhileItsVersionIsServedAndDroppedAfterARollback() {
    Route during = route("rollout-p-2", 500);
    Resolution pinnedToCanary = during.resolve("someone", 2);
    assertThat(pinnedToCanary.version()).isEqualTo(2);
    assertThat(pinnedToCanary.pinned()).isTrue();
    assertThat(during.resolve("someone", 1).version()).isEqualTo(1);

    RoutingState rolledBack = new RoutingState("p", 1, null, 0, null, 2, Instant.EPOCH);
    Resolution after = new Route(rolledBack, version(1), null).resolve("someone", 2);
    assertThat(after.version()).isEqualTo(1);
    assertThat(after.pinned()).isFalse();
    assertThat(after.pinDropped()).isTrue();
    assertThat(after.note()).contains("pinned version 2 is no longer served");
  }
}
