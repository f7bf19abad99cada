package dev.promptcanary.api.ui;

import dev.promptcanary.activities.store.AuditDao;
import dev.promptcanary.activities.store.EvalDao;
import dev.promptcanary.api.auth.Caller;
import dev.promptcanary.api.auth.Role;
import dev.promptcanary.api.rollouts.RolloutService;
import dev.promptcanary.api.ui.DashboardModels.RolloutDashboard;
import io.temporal.client.WorkflowClient;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;

/**
 * One rollout's dashboard as JSON: what {@code /ui/rollouts/{id}} polls every few seconds to redraw
 * its charts and tables. Read-only; the controls post to the rollout's own endpoints.
 */
@Path("/v1/rollouts/{id}/dashboard")
@Produces(MediaType.APPLICATION_JSON)
public class DashboardResource {
  private final RolloutService rollouts;
  private final Dashboard dashboard;

  public DashboardResource(
      RolloutService rollouts,
      WorkflowClient temporal,
      EvalDao evals,
      AuditDao audit,
      String temporalUiUrl,
      String temporalNamespace) {
    this.rollouts = rollouts;
    this.dashboard =
        new Dashboard(
            new RolloutPages(temporalUiUrl, temporalNamespace),
            new RolloutHistory(temporal),
            evals,
            audit);
  }

  @GET
  @RolesAllowed(Role.READER_NAME)
  public RolloutDashboard dashboard(@PathParam("id") String id, @Context SecurityContext security) {
    return dashboard.of(rollouts.view(id), Caller.of(security));
  }
}
