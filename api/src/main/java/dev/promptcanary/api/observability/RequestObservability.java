package dev.promptcanary.api.observability;

import dev.promptcanary.activities.observability.LatencyBuckets;
import dev.promptcanary.activities.observability.LogContext;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.ws.rs.core.MultivaluedMap;
import java.time.Duration;
import java.util.List;
import org.glassfish.jersey.server.ExtendedUriInfo;
import org.glassfish.jersey.server.monitoring.ApplicationEvent;
import org.glassfish.jersey.server.monitoring.ApplicationEventListener;
import org.glassfish.jersey.server.monitoring.RequestEvent;
import org.glassfish.jersey.server.monitoring.RequestEventListener;
import org.glassfish.jersey.uri.UriTemplate;

/**
 * Per API request: the MDC (rollout id, prompt and version named by the path) while the handler
 * runs, so every line it logs carries them, and {@code promptcanary.http.requests} timed by method,
 * route template and status (resolve rate and latency, ingest rate and rejects, everything else).
 */
public final class RequestObservability implements ApplicationEventListener {
  private static final Duration[] BUCKETS =
      LatencyBuckets.between(Duration.ofMillis(1), Duration.ofSeconds(10));

  /**
   * {@code id} names a rollout and {@code name} (with {@code version}) a prompt only under these
   * routes: elsewhere the same parameter names are a key's id or an eval suite's name, which must
   * not show up in the log as a rollout or a prompt.
   */
  private static final List<String> ROLLOUT_ROUTES =
      List.of("/v1/rollouts/{id}", "/ui/rollouts/{id}");

  private static final List<String> PROMPT_ROUTES =
      List.of("/v1/prompts/{name}", "/ui/prompts/{name}", "/v1/routing/versions/{name}");

  private final MeterRegistry registry;

  public RequestObservability(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void onEvent(ApplicationEvent event) {}

  @Override
  public RequestEventListener onRequest(RequestEvent requestEvent) {
    long start = System.nanoTime();
    return event -> {
      switch (event.getType()) {
        case RESOURCE_METHOD_START ->
            setLogContext(route(event.getUriInfo()), event.getUriInfo().getPathParameters());
        case FINISHED -> {
          LogContext.clear();
          Timer.builder("promptcanary.http.requests")
              .description("API requests by method, route template and status")
              .tag("method", event.getContainerRequest().getMethod())
              .tag("route", route(event.getUriInfo()))
              .tag("status", status(event))
              .serviceLevelObjectives(BUCKETS)
              .register(registry)
              .record(Duration.ofNanos(System.nanoTime() - start));
        }
        default -> {}
      }
    };
  }

  private static void setLogContext(String route, MultivaluedMap<String, String> path) {
    boolean rollout = ROLLOUT_ROUTES.stream().anyMatch(route::startsWith);
    boolean prompt = PROMPT_ROUTES.stream().anyMatch(route::startsWith);
    String version = prompt ? path.getFirst("version") : null;
    LogContext.set(
        rollout ? path.getFirst("id") : null,
        prompt ? path.getFirst("name") : null,
        version != null && version.matches("\\d{1,9}") ? Integer.valueOf(version) : null);
  }

  /** The matched route template, e.g. {@code /v1/prompts/{name}/resolve}; never the raw path. */
  static String route(ExtendedUriInfo uriInfo) {
    List<UriTemplate> templates = uriInfo.getMatchedTemplates();
    if (templates == null || templates.isEmpty()) {
      return "unmatched";
    }
    StringBuilder route = new StringBuilder();
    for (int i = templates.size() - 1; i >= 0; i--) {
      String template = templates.get(i).getTemplate();
      if (template.isEmpty() || template.equals("/")) {
        continue;
      }
      if (!template.startsWith("/")
          && (route.length() == 0 || route.charAt(route.length() - 1) != '/')) {
        route.append('/');
      }
      route.append(template);
    }
    return route.length() == 0 ? "/" : route.toString().replace("//", "/");
  }

  private static String status(RequestEvent event) {
    if (event.getContainerResponse() != null) {
      return Integer.toString(event.getContainerResponse().getStatus());
    }
    return event.getException() != null ? "500" : "unknown";
  }
}
