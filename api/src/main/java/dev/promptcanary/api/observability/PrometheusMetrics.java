package dev.promptcanary.api.observability;

import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.Managed;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;

/**
 * One Prometheus registry per process: promptcanary's own meters, the JVM's, and the Temporal SDK's
 * (through {@link MicrometerClientStatsReporter}), served on the admin port at {@value #PATH} in
 * the text format (or protobuf / OpenMetrics, as the scraper's {@code Accept} asks).
 */
public final class PrometheusMetrics {
  public static final String PATH = "/metrics/prometheus";
  private final PrometheusMeterRegistry registry;
  private final Scope temporalScope;

  private PrometheusMetrics(PrometheusMeterRegistry registry, Scope temporalScope) {
    this.registry = registry;
    this.temporalScope = temporalScope;
  }

  /** Builds the registry, serves it on the admin port and closes the Temporal scope at stop. */
  public static PrometheusMetrics register(Environment environment) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    // Tally reports to Micrometer once a second; a scrape sees the SDK's meters at most 1 s old.
    Scope scope =
        new RootScopeBuilder()
            .reporter(new MicrometerClientStatsReporter(registry))
            .reportEvery(com.uber.m3.util.Duration.ofSeconds(1));
    PrometheusMetrics metrics = new PrometheusMetrics(registry, scope);
    environment.admin().addServlet("prometheus", new ScrapeServlet(registry)).addMapping(PATH);
    environment
        .lifecycle()
        .manage(
            new Managed() {
              @Override
              public void stop() throws Exception {
                scope.close();
                registry.close();
              }
            });
    return metrics;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The tally scope for the Temporal service stubs of this process. */
  public Scope temporalScope() {
    return temporalScope;
  }

  private static final class ScrapeServlet extends HttpServlet {
    private final transient PrometheusMeterRegistry registry;

    ScrapeServlet(PrometheusMeterRegistry registry) {
      this.registry = registry;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      String accept = request.getHeader("Accept");
      String contentType = PrometheusMetrics.contentType(accept);
      response.setStatus(200);
      response.setContentType(contentType);
      response.setHeader("Cache-Control", "must-revalidate,no-cache,no-store");
      try (OutputStream out = response.getOutputStream()) {
        registry.scrape(out, contentType);
      }
    }
  }

  /** The format to answer in: what the scraper accepts, else the classic text format. */
  static String contentType(String accept) {
    if (accept != null) {
      if (accept.contains("application/vnd.google.protobuf")) {
        return "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily;"
            + " encoding=delimited";
      }
      if (accept.contains("application/openmetrics-text")) {
        return "application/openmetrics-text; version=1.0.0; charset=utf-8";
      }
    }
    return "text/plain; version=0.0.4; charset=utf-8";
  }
}
