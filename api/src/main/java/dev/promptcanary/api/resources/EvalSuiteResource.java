package dev.promptcanary.api.resources;

import dev.promptcanary.activities.eval.CreatedSuite;
import dev.promptcanary.activities.eval.EvalSuite;
import dev.promptcanary.activities.eval.StoredEvalSuite;
import dev.promptcanary.activities.eval.SuiteProblem;
import dev.promptcanary.activities.eval.SuiteSummary;
import dev.promptcanary.activities.eval.SuiteValidator;
import dev.promptcanary.activities.store.EvalDao;
import dev.promptcanary.api.auth.Caller;
import dev.promptcanary.api.auth.Role;
import dev.promptcanary.api.errors.ApiException;
import dev.promptcanary.api.errors.FieldError;
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

/** Offline eval suites: versions are created, listed and read, never modified. */
@Path("/v1/eval-suites")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class EvalSuiteResource {
  private final EvalDao evals;

  public EvalSuiteResource(EvalDao evals) {
    this.evals = evals;
  }

  /** 201 with the new version; 200 with the existing one when the same suite was stored before. */
  @POST
  @RolesAllowed(Role.DEPLOYER_NAME)
  public Response create(
      @Valid @NotNull CreateEvalSuiteRequest request,
      @Context UriInfo uri,
      @Context SecurityContext security) {
    EvalSuite suite = request.suite();
    List<SuiteProblem> problems = SuiteValidator.validate(suite);
    if (!problems.isEmpty()) {
      throw new ApiException(
          422, problems.stream().map(p -> new FieldError(p.field(), p.message())).toList());
    }
    CreatedSuite result = evals.createSuite(suite, request.author(), Caller.of(security).actor());
    StoredEvalSuite stored = result.suite();
    if (!result.created()) {
      return Response.ok(stored).build();
    }
    return Response.created(
            uri.getAbsolutePathBuilder()
                .path(stored.name())
                .path("versions")
                .path(String.valueOf(stored.version()))
                .build())
        .entity(stored)
        .build();
  }

  @GET
  @RolesAllowed(Role.READER_NAME)
  public List<SuiteSummary> list(
      @QueryParam("limit") String limit, @QueryParam("offset") String offset) {
    Params.Page page = Params.page(limit, offset);
    return evals.listSuites(page.limit(), page.offset());
  }

  /** The latest version. */
  @GET
  @RolesAllowed(Role.READER_NAME)
  @Path("/{name}")
  public StoredEvalSuite latest(@PathParam("name") String name) {
    String suite = suiteName(name);
    return evals
        .findLatestSuite(suite)
        .orElseThrow(() -> ApiException.notFound("name", "no eval suite named '" + suite + "'"));
  }

  @GET
  @RolesAllowed(Role.READER_NAME)
  @Path("/{name}/versions")
  public List<StoredEvalSuite> versions(
      @PathParam("name") String name,
      @QueryParam("limit") String limit,
      @QueryParam("offset") String offset) {
    String suite = latest(name).name();
    Params.Page page = Params.page(limit, offset);
    return evals.listVersions(suite, page.limit(), page.offset());
  }

  @GET
  @RolesAllowed(Role.READER_NAME)
  @Path("/{name}/versions/{version}")
  public StoredEvalSuite version(
      @PathParam("name") String name, @PathParam("version") String version) {
    String suite = latest(name).name();
    int number = Params.positiveInt("version", version);
    return evals
        .findSuite(suite, number)
        .orElseThrow(
            () ->
                ApiException.notFound(
                    "version", "eval suite '" + suite + "' has no version " + number));
  }

  private static String suiteName(String name) {
    if (!SuiteValidator.validName(name)) {
      throw ApiException.invalid("name", "suite name " + SuiteValidator.NAME_RULE);
    }
    return name;
  }
}
