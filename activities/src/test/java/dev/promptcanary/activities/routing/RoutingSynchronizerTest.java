package dev.promptcanary.activities.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.promptcanary.activities.store.Fixtures;
import dev.promptcanary.activities.store.PromptDao;
import dev.promptcanary.activities.store.RoutingDao;
import dev.promptcanary.activities.store.TestDatabases;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RoutingSynchronizerTest {

  @Test
  void aChangeCommittedAnywhereReachesEveryNodeByNotification() throws Exception {
    TestDatabase db = TestDatabases.fresh();
    PromptDao prompts = db.jdbi().onDemand(PromptDao.class);
    prompts.createVersion("synced", Fixtures.content(1), "ana");
    prompts.createVersion("synced", Fixtures.content(2), "ana");

    // Two nodes, each with its own table; the full reload is far away, so only notifications can be
    // at work.
    RoutingTable nodeA = new RoutingTable();
    RoutingTable nodeB = new RoutingTable();
    Duration slowReload = Duration.ofHours(1);
    try (RoutingSynchronizer a =
            new RoutingSynchronizer(
                new RoutingLoader(db.jdbi(), nodeA),
                db.jdbcUrl(),
                db.connectionProperties(),
                slowReload);
        RoutingSynchronizer b =
            new RoutingSynchronizer(
                new RoutingLoader(db.jdbi(), nodeB),
                db.jdbcUrl(),
                db.connectionProperties(),
                slowReload)) {
      a.start();
      b.start();
      assertThat(nodeA.route("synced").orElseThrow().state().canaryWeightBp()).isZero();
      // How fast is bench/propagation's business; here only that notifications carry a change, the
      // full reload
      // being an hour away. A listener reloads everything right after it subscribes, so the first
      // write may
      // arrive that way; once both nodes have it they are listening, and the second can arrive only
      // by NOTIFY.
      RoutingDao routing = db.jdbi().onDemand(RoutingDao.class);
      routing.apply(new RoutingWrite("synced", null, "r1", 1, 1, 2, 2500));
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                assertThat(weight(nodeA)).isEqualTo(2500);
                assertThat(weight(nodeB)).isEqualTo(2500);
              });
      routing.apply(new RoutingWrite("synced", "r1", "r1", 2, 1, 2, 5000));
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                assertThat(weight(nodeA)).isEqualTo(5000);
                assertThat(weight(nodeB)).isEqualTo(5000);
              });
    }
  }

  private static int weight(RoutingTable table) {
    return table.route("synced").orElseThrow().state().canaryWeightBp();
  }
}
