package dev.promptcanary.api.resources;

import dev.promptcanary.activities.routing.FenceOutcome;
import dev.promptcanary.activities.routing.ManualRouting;
import dev.promptcanary.activities.routing.RoutingLoader;
import dev.promptcanary.activities.routing.RoutingState;
import dev.promptcanary.activities.store.PromptDao;
import dev.promptcanary.activities.store.RoutingDao;
import dev.promptcanary.api.auth.Caller;
import dev.promptcanary.api.auth.Role;
import dev.promptcanary.api.errors.ApiException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;

/**
 * A prompt's routing: read it, or set it by hand when no rollout is running (a manual canary, or
 * pointing stable back at a known-good version). Rollouts change routing through their own fenced
 * activities.
 */
@Path("/v1/prompts/{name}/routing")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class RoutingResource {
  private final PromptDao prompts;
  private final RoutingDao routing;
  private final RoutingLoader loader;

  public RoutingResource(PromptDao prompts, RoutingDao routing, RoutingLoader loader) {
    this.prompts = prompts;
    this.routing = routing;
    this.loader = loader;
  }

  @GET
  @RolesAllowed(Role.READER_NAME)
  public RoutingView get(@PathParam("name") String name) {
    RoutingState state = current(name);
    return new RoutingView(state, routing.lastKnownGood(state.prompt()));
  }

  private RoutingState current(String name) {
    String prompt = Params.promptName(name);
    return routing
        .find(prompt)
        .orElseThrow(() -> ApiException.notFound("name", "no prompt named '" + prompt + "'"));
  }

  @PUT
  @RolesAllowed(Role.ADMIN_NAME)
  public RoutingView set(
      @PathParam("name") String name,
      @Valid @NotNull ManualRoutingRequest request,
      @Context SecurityContext security) {
    RoutingState current = current(name);
    String prompt = current.prompt();
    requireVersion(prompt, "stableVersion", request.stableVersion());
    if (request.canaryVersion() == null) {
      if (request.canaryWeightBp() != 0) {
        throw ApiException.invalid(
            "canaryWeightBp", "canaryWeightBp must be 0 when there is no canaryVersion");
      }
    } else {
      requireVersion(prompt, "canaryVersion", request.canaryVersion());
      if (request.canaryVersion().equals(request.stableVersion())) {
        throw ApiException.invalid("canaryVersion", "canaryVersion must differ from stableVersion");
      }
    }
    FenceOutcome outcome =
        routing.applyManual(
            new ManualRouting(
                prompt,
                request.stableVersion(),
                request.canaryVersion(),
                request.canaryWeightBp(),
                Caller.of(security).actor(),
                request.reason()));
    if (outcome == FenceOutcome.STALE) {
      String owner = routing.find(prompt).map(RoutingState::rolloutId).orElse("a rollout");
      throw ApiException.conflict(
          "name",
          "routing of '"
              + prompt
              + "' is owned by rollout "
              + owner
              + "; abort or finish it first");
    }
    // Read-your-writes on this node; the other nodes hear of it through NOTIFY.
    loader.reload(prompt);
    return get(prompt);
  }

  private void requireVersion(String prompt, String field, int version) {
    if (!prompts.versionExists(prompt, version)) {
      throw ApiException.invalid(field, "prompt '" + prompt + "' has no version " + version);
    }
  }
}
