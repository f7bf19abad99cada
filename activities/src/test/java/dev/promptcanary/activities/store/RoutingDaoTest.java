package dev.promptcanary.activities.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptcanary.activities.routing.FenceOutcome;
import dev.promptcanary.activities.routing.RoutingState;
import dev.promptcanary.activities.routing.RoutingWrite;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RoutingDaoTest {
  private static Jdbi jdbi;
  private static PromptDao prompts;
  private static RoutingDao routing;

  @BeforeAll
  static void setUp() {
    jdbi = TestDatabases.fresh().jdbi();
    prompts = jdbi.onDemand(PromptDao.class);
    routing = jdbi.onDemand(RoutingDao.class);
  }

  private static void twoVersions(String prompt) {
    prompts.createVersion(prompt, Fixtures.content(1), "ana");
    prompts.createVersion(prompt, Fixtures.content(2), "ana");
  }

  @Test
  void aClaimedRowTakesOnlyItsOwnersNewerWrites() {
    twoVersions("fenced");
    assertThat(routing.apply(new RoutingWrite("fenced", null, "r1", 1, 1, 2, 500)))
        .isEqualTo(FenceOutcome.APPLIED);
    assertThat(routing.apply(new RoutingWrite("fenced", "r1", "r1", 2, 1, 2, 2500)))
        .isEqualTo(FenceOutcome.APPLIED);

    // A delayed retry of the 5% write must not pull the weight back down.
    assertThat(routing.apply(new RoutingWrite("fenced", "r1", "r1", 1, 1, 2, 500)))
        .isEqualTo(FenceOutcome.STALE);
    // Somebody else cannot write while r1 owns the row.
    assertThat(routing.apply(new RoutingWrite("fenced", null, null, 9, 1, null, 0)))
        .isEqualTo(FenceOutcome.STALE);
    assertThat(routing.apply(new RoutingWrite("fenced", "r2", "r2", 9, 1, 2, 10000)))
        .isEqualTo(FenceOutcome.STALE);

    RoutingState state = routing.find("fenced").orElseThrow();
    assertThat(state.canaryWeightBp()).isEqualTo(2500);
    assertThat(state.fenceSeq()).isEqualTo(2);
    assertThat(state.rolloutId()).isEqualTo("r1");
  }

  @Test
  void aRetriedWriteIsRecognisedAsAlreadyApplied() {
    twoVersions("retried");
    RoutingWrite write = new RoutingWrite("retried", null, "r1", 1, 1, 2, 500);
    assertThat(routing.apply(write)).isEqualTo(FenceOutcome.APPLIED);
    assertThat(routing.apply(write)).isEqualTo(FenceOutcome.ALREADY_APPLIED);
    assertThat(routing.find("retried").orElseThrow().fenceSeq()).isEqualTo(1);
  }

  @Test
  void aReleasedRowRejectsTheOldOwnersLateWrites() {
    twoVersions("released");
    routing.apply(new RoutingWrite("released", null, "r1", 1, 1, 2, 500));
    assertThat(routing.apply(new RoutingWrite("released", "r1", null, 2, 1, null, 0)))
        .isEqualTo(FenceOutcome.APPLIED);

    assertThat(routing.apply(new RoutingWrite("released", "r1", "r1", 3, 1, 2, 5000)))
        .isEqualTo(FenceOutcome.STALE);
    RoutingState state = routing.find("released").orElseThrow();
    assertThat(state.canaryVersion()).isNull();
    assertThat(state.rolloutId()).isNull();
  }
}
