package dev.promptcanary.api.rollouts;

import dev.promptcanary.api.errors.ApiException;
import dev.promptcanary.api.resources.Params;
import dev.promptcanary.workflows.rollout.ControlResult;
import dev.promptcanary.workflows.rollout.RolloutState;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.Set;

/** Rollouts: start one, list and read them, and steer a running one. */
@Path("/v1/rollouts")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class RolloutResource {
  private static final Set<String> ACTIONS = Set.of("bypass", "abort", "pause", "resume");
  private final RolloutService rollouts;

  public RolloutResource(RolloutService rollouts) {
    this.rollouts = rollouts;
  }

  @POST
  public Response start(@Valid @NotNull StartRolloutRequest request) {
    RolloutView started = rollouts.start(request);
    return Response.created(URI.create("/v1/rollouts/" + started.row().id()))
        .entity(started)
        .build();
  }

  @GET
  public List<RolloutView> list(
      @QueryParam("prompt") String prompt,
      @QueryParam("state") String state,
      @QueryParam("limit") String limit) {
    if (state != null) {
      try {
        RolloutState.valueOf(state);
      } catch (IllegalArgumentException e) {
        throw ApiException.invalid(
            "state", "state must be one of " + List.of(RolloutState.values()));
      }
    }
    return rollouts.list(prompt, state, Params.intInRange("limit", limit, 100, 1, 500));
  }

  @GET
  @Path("/{id}")
  public RolloutView get(@PathParam("id") String id) {
    return rollouts.view(id);
  }

  @POST
  @Path("/{id}/{action}")
  public ControlResult control(
      @PathParam("id") String id,
      @PathParam("action") String action,
      @Valid @NotNull ControlBody body) {
    if (!ACTIONS.contains(action)) {
      throw ApiException.notFound(
          "action", "no rollout action '" + action + "'; use one of " + ACTIONS);
    }
    return rollouts.control(id, action, body);
  }
}
