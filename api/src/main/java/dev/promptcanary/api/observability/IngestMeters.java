package dev.promptcanary.api.observability;

import dev.promptcanary.activities.ingest.IngestResult;
import dev.promptcanary.api.resources.JudgementBatch;
import dev.promptcanary.api.resources.MetricBatch;
import dev.promptcanary.api.resources.ObservationBatch;
import dev.promptcanary.api.resources.TranscriptBatch;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * The ingest endpoints' batch sizes (as read, before validation), the items stored or found to be
 * duplicates, and the batches rejected, by kind ({@code observations}, {@code judgements}, {@code
 * metrics}, {@code transcripts}). Measured around the resources, so they stay as they are.
 */
public final class IngestMeters implements ReaderInterceptor, ContainerResponseFilter {
  private static final Set<String> KINDS =
      Set.of("observations", "judgements", "metrics", "transcripts");
  private final MeterRegistry registry;

  public IngestMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
    Object entity = context.proceed();
    List<?> items = null;
    String kind = null;
    if (entity instanceof ObservationBatch b) {
      items = b.observations();
      kind = "observations";
    } else if (entity instanceof JudgementBatch b) {
      items = b.judgements();
      kind = "judgements";
    } else if (entity instanceof MetricBatch b) {
      items = b.metrics();
      kind = "metrics";
    } else if (entity instanceof TranscriptBatch b) {
      items = b.transcripts();
      kind = "transcripts";
    }
    if (items != null) {
      DistributionSummary.builder("promptcanary.ingest.batch.size")
          .description("Items per ingest batch received, by kind")
          .baseUnit("items")
          .tag("kind", kind)
          .serviceLevelObjectives(1, 10, 50, 100, 250, 500, 1000, 5000)
          .register(registry)
          .record(items.size());
    }
    return entity;
  }

  @Override
  public void filter(ContainerRequestContext request, ContainerResponseContext response) {
    if (!"POST".equals(request.getMethod())) {
      return;
    }
    String path = request.getUriInfo().getPath();
    String kind = path.startsWith("v1/") ? path.substring(3) : path.replaceFirst("^/?v1/", "");
    if (!KINDS.contains(kind)) {
      return;
    }
    int status = response.getStatus();
    if (status >= 400) {
      Counter.builder("promptcanary.ingest.rejected")
          .description("Ingest batches rejected whole, by kind and status")
          .tag("kind", kind)
          .tag("status", Integer.toString(status))
          .register(registry)
          .increment();
    } else if (response.getEntity() instanceof IngestResult result) {
      items(kind, "accepted").increment(result.accepted());
      items(kind, "duplicate").increment(result.duplicates());
    }
  }

  private Counter items(String kind, String result) {
    return Counter.builder("promptcanary.ingest.items")
        .description("Items of accepted ingest batches, stored or duplicate, by kind")
        .tag("kind", kind)
        .tag("result", result)
        .register(registry);
  }
}
