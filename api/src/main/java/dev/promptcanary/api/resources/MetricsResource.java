package dev.promptcanary.api.resources;

import dev.promptcanary.activities.ingest.VersionMetrics;
import dev.promptcanary.activities.store.MetricsDao;
import dev.promptcanary.activities.store.PromptDao;
import dev.promptcanary.api.auth.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Per-version aggregates of a prompt's outcomes since a point in time (default: the last 24 hours).
 */
@Path("/v1/prompts/{name}/metrics")
@Produces(MediaType.APPLICATION_JSON)
public class MetricsResource {
  /** The answer of the metrics endpoint. */
  public record MetricsResponse(String prompt, Instant since, List<VersionMetrics> versions) {}

  private final PromptDao prompts;
  private final MetricsDao metrics;
  private final Clock clock;

  public MetricsResource(PromptDao prompts, MetricsDao metrics, Clock clock) {
    this.prompts = prompts;
    this.metrics = metrics;
    this.clock = clock;
  }

  @GET
  @RolesAllowed(Role.READER_NAME)
  public MetricsResponse metrics(
      @PathParam("name") String name, @QueryParam("since") String since) {
    String prompt = Params.existingPrompt(prompts, name);
    Instant from = Params.instant("since", since, clock.instant().minus(Duration.ofHours(24)));
    return new MetricsResponse(prompt, from, metrics.byVersion(prompt, from));
  }
}
