package dev.promptcanary.api.resources;

import dev.promptcanary.activities.routing.RoutingTable;
import dev.promptcanary.api.auth.Role;
import dev.promptcanary.api.errors.ApiException;
import dev.promptcanary.serving.Resolution;
import dev.promptcanary.serving.UnitRule;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** The serving path apps call on every request: answered from memory, no database round trip. */
@Path("/v1/prompts/{name}/resolve")
@Produces(MediaType.APPLICATION_JSON)
public class ServingResource {
  private final RoutingTable routes;

  public ServingResource(RoutingTable routes) {
    this.routes = routes;
  }

  @GET
  @RolesAllowed(Role.CLIENT_NAME)
  public Resolution resolve(
      @PathParam("name") String name,
      @QueryParam("unit") String unit,
      @QueryParam("pin") String pin) {
    String prompt = Params.promptName(name);
    UnitRule.problem(unit)
        .ifPresent(
            problem -> {
              throw ApiException.invalid("unit", problem);
            });
    Integer pinned = pin == null || pin.isBlank() ? null : Params.positiveInt("pin", pin);
    return routes
        .route(prompt)
        .orElseThrow(
            () ->
                ApiException.notFound(
                    "name", "no prompt named '" + prompt + "' has a version to serve"))
        .resolve(unit, pinned);
  }
}
