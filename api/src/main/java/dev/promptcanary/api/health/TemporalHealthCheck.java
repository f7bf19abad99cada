package dev.promptcanary.api.health;

import com.codahale.metrics.health.HealthCheck;
import io.temporal.serviceclient.WorkflowServiceStubs;

/**
 * Whether the Temporal service answers its gRPC health check. Resolve and ingest keep working when
 * it does not.
 */
public class TemporalHealthCheck extends HealthCheck {
  private final WorkflowServiceStubs stubs;
  private final String target;

  public TemporalHealthCheck(WorkflowServiceStubs stubs, String target) {
    this.stubs = stubs;
    this.target = target;
  }

  @Override
  protected Result check() {
    try {
      var response = stubs.healthCheck();
      return response.getStatus().name().equals("SERVING")
          ? Result.healthy("Temporal at %s is serving", target)
          : Result.unhealthy("Temporal at %s reports %s", target, response.getStatus());
    } catch (RuntimeException e) {
      return Result.unhealthy("Temporal at %s is unreachable: %s", target, e.getMessage());
    }
  }
}
