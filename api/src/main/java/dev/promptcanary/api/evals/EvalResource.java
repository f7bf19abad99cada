package dev.promptcanary.api.evals;

import dev.promptcanary.api.auth.Caller;
import dev.promptcanary.api.auth.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.net.URI;

/**
 * Eval runs without a rollout: the same eval runner and gate as a rollout's offline eval, through
 * the worker. Starting one is a deployer's action (it spends model calls, as a rollout's eval
 * does); reading one is a reader's.
 */
@Path("/v1/evals")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class EvalResource {
  private final EvalService evals;

  public EvalResource(EvalService evals) {
    this.evals = evals;
  }

  /**
   * 202 with the started eval (follow it at {@code Location}); 200 with the existing one when the
   * same {@code requestId} asked for the same eval before; 409 when it asked for another.
   */
  @POST
  @RolesAllowed(Role.DEPLOYER_NAME)
  public Response start(
      @Valid @NotNull StartEvalRequest request, @Context SecurityContext security) {
    EvalService.Started started = evals.start(request, Caller.of(security));
    return Response.status(started.created() ? Response.Status.ACCEPTED : Response.Status.OK)
        .location(URI.create("/v1/evals/" + started.eval().id()))
        .entity(started.eval())
        .build();
  }

  @GET
  @Path("/{id}")
  @RolesAllowed(Role.READER_NAME)
  public EvalView get(@PathParam("id") String id) {
    return evals.view(id);
  }
}
