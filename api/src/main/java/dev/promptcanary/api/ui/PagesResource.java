package dev.promptcanary.api.ui;

import dev.promptcanary.activities.routing.RoutingState;
import dev.promptcanary.activities.store.PromptDao;
import dev.promptcanary.activities.store.RoutingDao;
import dev.promptcanary.api.auth.Caller;
import dev.promptcanary.api.auth.Role;
import dev.promptcanary.api.errors.ApiException;
import dev.promptcanary.api.rollouts.RolloutService;
import dev.promptcanary.api.rollouts.RolloutView;
import dev.promptcanary.api.ui.PageModels.ErrorDetail;
import dev.promptcanary.api.ui.PageModels.Link;
import dev.promptcanary.api.ui.PageModels.PromptDetail;
import dev.promptcanary.api.ui.PageModels.RolloutDetail;
import dev.promptcanary.api.ui.PageModels.RolloutList;
import dev.promptcanary.api.ui.PageModels.VersionRow;
import dev.promptcanary.serving.PromptVersion;
import dev.promptcanary.workflows.rollout.RolloutState;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The project's own read-only pages: rollouts, one rollout, one prompt. Server-rendered HTML over
 * the same read model and service as the JSON API; nothing here changes anything.
 */
@Path("/")
@Produces(MediaType.TEXT_HTML + ";charset=UTF-8")
public class PagesResource {
  private static final List<String> STATES =
      Arrays.stream(RolloutState.values()).map(Enum::name).toList();

  private final RolloutService rollouts;
  private final PromptDao prompts;
  private final RoutingDao routing;
  private final RolloutPages pages;

  public PagesResource(
      RolloutService rollouts,
      PromptDao prompts,
      RoutingDao routing,
      String temporalUiUrl,
      String temporalNamespace) {
    this.rollouts = rollouts;
    this.prompts = prompts;
    this.routing = routing;
    this.pages = new RolloutPages(temporalUiUrl, temporalNamespace);
  }

  @GET
  @RolesAllowed(Role.READER_NAME)
  public Response home() {
    return Response.seeOther(URI.create("/ui/rollouts")).build();
  }

  @GET
  @RolesAllowed(Role.READER_NAME)
  @Path("ui")
  public Response ui() {
    return home();
  }

  @GET
  @RolesAllowed(Role.READER_NAME)
  @Path("ui/rollouts")
  public Response rollouts(
      @QueryParam("prompt") String prompt,
      @QueryParam("state") String state,
      @Context SecurityContext security) {
    String promptFilter = blankToNull(prompt);
    String stateFilter = blankToNull(state);
    if (stateFilter != null && !STATES.contains(stateFilter)) {
      return error(400, "state must be one of " + STATES);
    }
    List<RolloutView> found = rollouts.list(promptFilter, stateFilter, 200);
    RolloutList list =
        new RolloutList(
            Objects.requireNonNullElse(promptFilter, ""),
            Objects.requireNonNullElse(stateFilter, ""),
            STATES,
            found.stream().map(pages::row).toList());
    // list.js fetches this page again every few seconds and swaps the table in.
    return Response.ok(Page.of("rollouts", "Rollouts", list).seenBy(Caller.of(security))).build();
  }

  @GET
  @RolesAllowed(Role.READER_NAME)
  @Path("ui/rollouts/{id}")
  public Response rollout(@PathParam("id") String id, @Context SecurityContext security) {
    RolloutView view;
    try {
      view = rollouts.view(id);
    } catch (ApiException e) {
      return error(e.response().code(), e.response().message());
    }
    RolloutDetail detail = pages.detail(view);
    String title = "Rollout " + view.row().id();
    // dashboard.js redraws it from GET /v1/rollouts/{id}/dashboard while the rollout runs.
    return Response.ok(Page.of("rollout", title, detail).seenBy(Caller.of(security))).build();
  }

  @GET
  @RolesAllowed(Role.READER_NAME)
  @Path("ui/prompts/{name}")
  public Response prompt(@PathParam("name") String name, @Context SecurityContext security) {
    RoutingState route = routing.find(name).orElse(null);
    if (route == null) {
      return error(404, "no prompt named '" + name + "'");
    }
    List<VersionRow> versions =
        prompts.listVersions(name, 100, 0).stream().map(v -> version(v, route)).toList();
    PromptDetail detail =
        new PromptDetail(
            name,
            route.stableVersion(),
            route.canaryVersion() == null ? "none" : "v" + route.canaryVersion(),
            RolloutPages.percent(route.canaryWeightBp()),
            route.rolloutId() == null
                ? null
                : new Link(route.rolloutId(), RolloutPages.rolloutHref(route.rolloutId())),
            RolloutPages.time(route.updatedAt()),
            versions,
            rollouts.list(name, null, 50).stream().map(pages::row).toList());
    return Response.ok(Page.of("prompt", "Prompt " + name, detail).seenBy(Caller.of(security)))
        .build();
  }

  /** Any other page under /ui: an HTML 404, not the API's JSON one. */
  @GET
  @RolesAllowed(Role.READER_NAME)
  @Path("ui/{rest: .+}")
  public Response unknown(@PathParam("rest") String rest) {
    return error(404, "no page /ui/" + rest);
  }

  private static VersionRow version(PromptVersion v, RoutingState route) {
    String role =
        v.version() == route.stableVersion()
            ? "stable"
            : Objects.equals(route.canaryVersion(), v.version()) ? "canary" : "";
    String hash =
        v.contentHash() == null ? "" : v.contentHash().substring(v.contentHash().indexOf(':') + 1);
    hash = hash.substring(0, Math.min(12, hash.length()));
    return new VersionRow(
        v.version(), role, v.content().model(), v.author(), RolloutPages.time(v.createdAt()), hash);
  }

  private static Response error(int status, String message) {
    String title = status == 404 ? "Not found" : "Error " + status;
    return Response.status(status)
        .entity(Page.of("error", title, new ErrorDetail(status, message)))
        .build();
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }
}
