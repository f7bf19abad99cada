package dev.promptcanary.activities.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.promptcanary.activities.ingest.Observation;
import dev.promptcanary.activities.stats.StageWindow;
import dev.promptcanary.activities.store.TrafficDao.WindowLengths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The partial session lengths the planner reads ({@link TrafficDao#windowLengths}). */
class TrafficDaoTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private Jdbi jdbi;

  @BeforeEach
  void setUp() {
    jdbi = TestDatabases.fresh().jdbi();
    Fixtures.twoVersionsOf(jdbi, "chat");
  }

  private static Observation at(String id, int version, String unit, int minute) {
    return new Observation(
        id,
        "chat",
        version,
        unit,
        T0.plus(Duration.ofMinutes(minute)),
        300.0,
        null,
        null,
        0.001,
        false,
        false,
        null);
  }

  /**
   * At T0 + 60 min, on version 1: unit a first seen at minute 55 (requests at 55 and 58), b at 35
   * (35, 40, 59), c at 5 (5, 20, 45, 59), and a request without a unit at 50 is a unit of its own.
   * Unit d is on version 2 and e's first request comes after now. So the last 10 minutes hold a and
   * the lone request (2 units, 3 requests, squares 4 + 1 = 5), the last 30 b as well (3, 6, 5 + 9 =
   * 14), the hour c too (4, 10, 14 + 16 = 30); over the hour at rho 0.3 the design effect is 1 +
   * (30 / 10 - 1) 0.3 = 1.6.
   */
  @Test
  void aWindowHoldsTheUnitsFirstSeenInItWithTheirRequestsSoFar() {
    List<Observation> batch = new ArrayList<>();
    int[][] units = {{55, 58}, {35, 40, 59}, {5, 20, 45, 59}};
    String[] names = {"a", "b", "c"};
    for (int u = 0; u < units.length; u++) {
      for (int r = 0; r < units[u].length; r++) {
        batch.add(at(names[u] + r, 1, names[u], units[u][r]));
      }
    }
    batch.add(at("d0", 2, "d", 58));
    batch.add(at("e0", 1, "e", 61));
    batch.add(at("x0", 1, null, 50));
    jdbi.onDemand(OutcomeDao.class).insertObservations(batch);
    List<WindowLengths> windows =
        jdbi.onDemand(TrafficDao.class)
            .windowLengths(
                "chat",
                1,
                T0.minus(Duration.ofDays(1)),
                T0.plus(Duration.ofMinutes(60)),
                new double[] {600, 1_800, 3_600});
    assertThat(windows)
        .containsExactly(
            new WindowLengths(600, 2, 3, 5),
            new WindowLengths(1_800, 3, 6, 14),
            new WindowLengths(3_600, 4, 10, 30));
    WindowLengths hour = windows.get(2);
    assertThat(
            StageWindow.fromLengths(1, hour.units(), hour.requests(), hour.requestsSq(), 0.3)
                .designEffect())
        .isCloseTo(1.6, offset(1e-12));
  }
}
