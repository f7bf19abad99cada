package dev.promptcanary.api.observability;

import com.google.common.base.Suppliers;
import dev.promptcanary.activities.store.RolloutCountsDao;
import dev.promptcanary.workflows.rollout.RolloutState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code promptcanary.rollouts{state}}: rollouts in each state, from PostgreSQL (so every node
 * reports the same numbers). One query serves every state's gauge for 5 s, however often and by
 * however many scrapers it is read.
 */
public final class RolloutStateGauges {
  private static final Logger LOG = LoggerFactory.getLogger(RolloutStateGauges.class);

  private RolloutStateGauges() {}

  public static void register(MeterRegistry registry, RolloutCountsDao counts) {
    Supplier<Map<String, Long>> byState =
        Suppliers.memoizeWithExpiration(() -> read(counts), Duration.ofSeconds(5));
    for (RolloutState state : RolloutState.values()) {
      Gauge.builder("promptcanary.rollouts", byState, s -> s.get().getOrDefault(state.name(), 0L))
          .description("Rollouts in each state")
          .tag("state", state.name())
          // Micrometer holds a gauge's object weakly; nothing else holds this supplier.
          .strongReference(true)
          .register(registry);
    }
  }

  private static Map<String, Long> read(RolloutCountsDao counts) {
    Map<String, Long> byState = new HashMap<>();
    try {
      counts.byState().forEach(c -> byState.put(c.state(), c.rollouts()));
    } catch (RuntimeException e) {
      // A scrape while the database is down shows zeros rather than failing the whole scrape.
      LOG.warn("could not count rollouts by state: {}", e.getMessage());
    }
    return byState;
  }
}
