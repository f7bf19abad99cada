package dev.promptcanary.api.health;

import com.codahale.metrics.health.HealthCheck;
import com.codahale.metrics.health.HealthCheckRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.core.setup.Environment;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /healthcheck} on the admin port: every health check by name, {@code 200} when all are
 * healthy and {@code 503 Service Unavailable} when any is not (Dropwizard's own servlet answers
 * {@code 500}, which reads as a crash of this process when it is a dependency that is down, e.g.
 * Temporal). The body is Dropwizard's shape, {@code {"temporal": {"healthy": false, "message":
 * "..."}, ...}}, so the failing check is named; a check that threw is reported by its exception's
 * type and message, and its stack goes to the log, not to the answer.
 */
public class HealthServlet extends HttpServlet {
  public static final String PATH = "/healthcheck";
  private static final Logger LOG = LoggerFactory.getLogger(HealthServlet.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final transient HealthCheckRegistry checks;

  public HealthServlet(HealthCheckRegistry checks) {
    this.checks = checks;
  }

  /** Serves {@link #PATH} on the admin port in place of Dropwizard's servlet. */
  public static void register(Environment environment) {
    environment
        .admin()
        .addServlet("healthcheck-503", new HealthServlet(environment.healthChecks()))
        .addMapping(PATH);
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    SortedMap<String, HealthCheck.Result> results = checks.runHealthChecks();
    Map<String, Map<String, Object>> body = new LinkedHashMap<>();
    boolean healthy = true;
    for (Map.Entry<String, HealthCheck.Result> entry : results.entrySet()) {
      HealthCheck.Result result = entry.getValue();
      healthy &= result.isHealthy();
      body.put(entry.getKey(), described(entry.getKey(), result));
    }
    response.setStatus(
        healthy ? HttpServletResponse.SC_OK : HttpServletResponse.SC_SERVICE_UNAVAILABLE);
    response.setContentType("application/json");
    response.setHeader("Cache-Control", "must-revalidate,no-cache,no-store");
    JSON.writeValue(response.getOutputStream(), body);
  }

  private static Map<String, Object> described(String name, HealthCheck.Result result) {
    Map<String, Object> check = new LinkedHashMap<>();
    check.put("healthy", result.isHealthy());
    String message = result.getMessage();
    Throwable error = result.getError();
    if (error != null) {
      LOG.warn("health check {} failed", name, error);
      if (message == null) {
        message = error.getClass().getSimpleName() + ": " + error.getMessage();
      }
    }
    if (message != null) {
      check.put("message", message);
    }
    if (result.getDetails() != null && !result.getDetails().isEmpty()) {
      check.put("details", result.getDetails());
    }
    check.put("duration", result.getDuration());
    check.put("timestamp", result.getTimestamp());
    return check;
  }
}
