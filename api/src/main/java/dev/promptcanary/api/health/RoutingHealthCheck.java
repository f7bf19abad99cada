package dev.promptcanary.api.health;

import com.codahale.metrics.health.HealthCheck;
import dev.promptcanary.activities.routing.RoutingTable;

/** Reports how many prompts this node can resolve from memory. */
public class RoutingHealthCheck extends HealthCheck {
  private final RoutingTable table;

  public RoutingHealthCheck(RoutingTable table) {
    this.table = table;
  }

  @Override
  protected Result check() {
    return Result.healthy("%d prompts routed from memory", table.size());
  }
}
