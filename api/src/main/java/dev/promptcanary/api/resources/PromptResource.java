package dev.promptcanary.api.resources;

import dev.promptcanary.activities.registry.CreatedVersion;
import dev.promptcanary.activities.registry.PromptSummary;
import dev.promptcanary.activities.routing.RoutingLoader;
import dev.promptcanary.activities.store.PromptDao;
import dev.promptcanary.api.auth.Caller;
import dev.promptcanary.api.auth.Role;
import dev.promptcanary.api.errors.ApiException;
import dev.promptcanary.api.errors.FieldError;
import dev.promptcanary.serving.PromptVersion;
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
import jakarta.ws.rs.core.UriInfo;
import java.util.List;

/** The prompt registry: versions are created, listed and read, never modified. */
@Path("/v1/prompts")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class PromptResource {
  private final PromptDao prompts;
  private final RoutingLoader routes;

  public PromptResource(PromptDao prompts, RoutingLoader routes) {
    this.prompts = prompts;
    this.routes = routes;
  }

  @GET
  @RolesAllowed(Role.READER_NAME)
  public List<PromptSummary> list(
      @QueryParam("limit") String limit, @QueryParam("offset") String offset) {
    Params.Page page = Params.page(limit, offset);
    return prompts.listPrompts(page.limit(), page.offset());
  }

  /**
   * 201 with the new version; 200 with the existing one when the same content was stored before.
   */
  @POST
  @Path("/{name}/versions")
  @RolesAllowed(Role.DEPLOYER_NAME)
  public Response create(
      @PathParam("name") String name,
      @Valid @NotNull CreateVersionRequest request,
      @Context UriInfo uri,
      @Context SecurityContext security) {
    String prompt = Params.promptName(name);
    List<FieldError> problems = ParameterRules.problems(request.parameters());
    if (!problems.isEmpty()) {
      throw new ApiException(422, problems);
    }
    CreatedVersion result =
        prompts.createVersion(
            prompt, request.content(), request.author(), Caller.of(security).actor());
    PromptVersion version = result.version();
    if (!result.created()) {
      return Response.ok(version).build();
    }
    if (version.version() == 1) {
      // The first version is served at once; make this node answer resolve for it without waiting
      // for NOTIFY.
      routes.reload(version.prompt());
    }
    return Response.created(
            uri.getAbsolutePathBuilder().path(String.valueOf(version.version())).build())
        .entity(version)
        .build();
  }

  @GET
  @Path("/{name}/versions")
  @RolesAllowed(Role.READER_NAME)
  public List<PromptVersion> versions(
      @PathParam("name") String name,
      @QueryParam("limit") String limit,
      @QueryParam("offset") String offset) {
    String prompt = existingPrompt(name);
    Params.Page page = Params.page(limit, offset);
    return prompts.listVersions(prompt, page.limit(), page.offset());
  }

  @GET
  @Path("/{name}/versions/{version}")
  @RolesAllowed(Role.READER_NAME)
  public PromptVersion version(
      @PathParam("name") String name, @PathParam("version") String version) {
    String prompt = existingPrompt(name);
    int number = Params.positiveInt("version", version);
    return prompts
        .findVersion(prompt, number)
        .orElseThrow(
            () ->
                ApiException.notFound(
                    "version", "prompt '" + prompt + "' has no version " + number));
  }

  private String existingPrompt(String name) {
    return Params.existingPrompt(prompts, name);
  }
}
