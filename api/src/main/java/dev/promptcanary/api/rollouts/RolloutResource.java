package dev.promptcanary.api.rollouts;

import dev.promptcanary.api.auth.Caller;
import dev.promptcanary.api.auth.Role;
import dev.promptcanary.api.errors.ApiException;
import dev.promptcanary.api.resources.Params;
import dev.promptcanary.workflows.rollout.ControlResult;
import dev.promptcanary.workflows.rollout.RolloutState;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.net.URI;
import java.util.List;

/** Rollouts: start one, list and read them, and steer a running one. */
@Path("/v1/rollouts")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class RolloutResource {
  private static final List<String> ACTIONS =
      List.of("bypass", "abort", "pause", "resume", "approve");
  private final RolloutService rollouts;

  static final String CONTROL_ANSWERS =
      "200 once the workflow took the control; 409 when the rollout's state does not allow it; 503"
          + " with Retry-After when Temporal (or its worker) did not answer within"
          + " temporal.answerWithin (8 s by default), in which case"
          + " the control may still take effect: read the rollout before sending it again.";

  public RolloutResource(RolloutService rollouts) {
    this.rollouts = rollouts;
  }

  /**
   * 201 with the started rollout; 200 with the rollout an earlier attempt of the same request
   * ({@code requestId}, body and key) started.
   */
  @POST
  @RolesAllowed(Role.DEPLOYER_NAME)
  @Operation(
      summary = "Start a rollout",
      description =
          "201 with the started rollout. With a requestId the start is safe to retry: the same"
              + " requestId with the same body from the same key answers 200 with the rollout the"
              + " first attempt started (also when that attempt was answered 503 or its answer was"
              + " lost); with another body or key, 409 on requestId. 409 on prompt when the prompt"
              + " already has a running rollout; 503 with Retry-After when Temporal is unreachable.")
  public Response start(
      @Valid @NotNull StartRolloutRequest request, @Context SecurityContext security) {
    RolloutService.Started started = rollouts.start(request, Caller.of(security));
    if (!started.created()) {
      return Response.ok(started.rollout()).build(); // a retry of a start that went through
    }
    return Response.created(URI.create("/v1/rollouts/" + started.rollout().row().id()))
        .entity(started.rollout())
        .build();
  }

  @GET
  @RolesAllowed(Role.READER_NAME)
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
  @RolesAllowed(Role.READER_NAME)
  public RolloutView get(@PathParam("id") String id) {
    return rollouts.view(id);
  }

  /** Emergency bypass: promotes to 100% now, skipping the remaining gates. */
  @POST
  @Path("/{id}/bypass")
  @RolesAllowed(Role.ADMIN_NAME)
  @Operation(description = CONTROL_ANSWERS)
  public ControlResult bypass(
      @PathParam("id") String id,
      @Valid @NotNull ControlBody body,
      @Context SecurityContext security) {
    return rollouts.control(id, "bypass", body, Caller.of(security));
  }

  @POST
  @Path("/{id}/abort")
  @RolesAllowed(Role.DEPLOYER_NAME)
  @Operation(description = CONTROL_ANSWERS)
  public ControlResult abort(
      @PathParam("id") String id,
      @Valid @NotNull ControlBody body,
      @Context SecurityContext security) {
    return rollouts.control(id, "abort", body, Caller.of(security));
  }

  @POST
  @Path("/{id}/pause")
  @RolesAllowed(Role.DEPLOYER_NAME)
  @Operation(description = CONTROL_ANSWERS)
  public ControlResult pause(
      @PathParam("id") String id,
      @Valid @NotNull ControlBody body,
      @Context SecurityContext security) {
    return rollouts.control(id, "pause", body, Caller.of(security));
  }

  @POST
  @Path("/{id}/resume")
  @RolesAllowed(Role.DEPLOYER_NAME)
  @Operation(description = CONTROL_ANSWERS)
  public ControlResult resume(
      @PathParam("id") String id,
      @Valid @NotNull ControlBody body,
      @Context SecurityContext security) {
    return rollouts.control(id, "resume", body, Caller.of(security));
  }

  /**
   * Lets a stage waiting in {@code AWAITING_APPROVAL} go on (409 when the rollout is not waiting
   * for an approval).
   */
  @POST
  @Path("/{id}/approve")
  @RolesAllowed(Role.DEPLOYER_NAME)
  @Operation(description = CONTROL_ANSWERS)
  public ControlResult approve(
      @PathParam("id") String id,
      @Valid @NotNull ControlBody body,
      @Context SecurityContext security) {
    return rollouts.control(id, "approve", body, Caller.of(security));
  }

  /** Any other action: a 404 naming the ones there are (to a key that may send controls). */
  @POST
  @Path("/{id}/{action}")
  @RolesAllowed(Role.DEPLOYER_NAME)
  public ControlResult unknownControl(
      @PathParam("id") String id, @PathParam("action") String action) {
    throw ApiException.notFound(
        "action", "no rollout action '" + action + "'; use one of " + ACTIONS);
  }
}
