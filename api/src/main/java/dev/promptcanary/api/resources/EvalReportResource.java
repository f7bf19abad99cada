package dev.promptcanary.api.resources;

import dev.promptcanary.activities.eval.EvalReport;
import dev.promptcanary.activities.store.EvalDao;
import dev.promptcanary.api.auth.Role;
import dev.promptcanary.api.errors.ApiException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * A rollout's offline eval report, read from the store (no Temporal needed): the run's state and
 * reason, each arm's pass rate, mean judge score and cost, and every case result. Readable while
 * the run is going.
 */
@Path("/v1/rollouts/{id}/eval")
@Produces(MediaType.APPLICATION_JSON)
public class EvalReportResource {
  private final EvalDao evals;

  public EvalReportResource(EvalDao evals) {
    this.evals = evals;
  }

  @GET
  @RolesAllowed(Role.READER_NAME)
  public EvalReport report(@PathParam("id") String id) {
    return EvalReport.latest(evals, id)
        .orElseThrow(
            () -> ApiException.notFound("id", "rollout '" + id + "' has no offline eval report"));
  }
}
