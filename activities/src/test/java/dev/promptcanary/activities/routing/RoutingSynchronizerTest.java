package dev.promptcanary.activities.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptcanary.activities.store.Fixtures;
import dev.promptcanary.activities.store.PromptDao;
import dev.promptcanary.activities.store.RoutingDao;
import dev.promptcanary.activities.store.TestDatabases;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RoutingSynchronizerTest {

  @Test
  void aChangeCommittedAnywhereReachesEveryNodeWithinASecond() throws Exception {
    TestDatabase db = TestDatabases.fresh();
    PromptDao prompts = db.jdbi().onDemand(PromptDao.class);
    prompts.createVersion("synced", Fixtures.content(1), "ana");
    prompts.createVersion("synced", Fixtures.content(2), "ana");

    // Two nodes, each with its own table; the full reload is far away, so only notifications can be at work.
    RoutingTable nodeA = new RoutingTable();
    RoutingTable nodeB = new RoutingTable();
    Duration slowReload = Duration.ofHours(1);
    try (RoutingSynchronizer a =
            new RoutingSynchronizer(new RoutingLoader(db.jdbi(), nodeA), db.jdbcUrl(), db.connectionProperties(), slowReload);
        RoutingSynchronizer b =
            new RoutingSynchronizer(new RoutingLoader(db.jdbi(), nodeB), db.jdbcUrl(), db.connectionProperties(), slowReload)) {
      a.start();
      b.start();
      assertThat(nodeA.route("synced").orElseThrow().state().canaryWeightBp()).isZero();
      Thread.sleep(300); // let both listeners subscribe

      long start = System.nanoTime();
      db.jdbi().onDemand(RoutingDao.class).apply(new RoutingWrite("synced", null, "r1", 1, 1, 2, 2500));
      while ((weight(nodeA) != 2500 || weight(nodeB) != 2500) && System.nanoTime() - start < 5_000_000_000L) {
        Thread.sleep(5);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      assertThat(weight(nodeA)).isEqualTo(2500);
      assertThat(weight(nodeB)).isEqualTo(2500);
      assertThat(seconds).as("propagation time").isLessThan(1.0);
    }
  }

  private static int weight(RoutingTable table) {
    return table.route("synced").orElseThrow().state().canaryWeightBp();
  }
}
