package dev.promptcanary.api.resources;

import dev.promptcanary.activities.ingest.IngestResult;
import dev.promptcanary.activities.ingest.Judgement;
import dev.promptcanary.activities.ingest.Observation;
import dev.promptcanary.activities.ingest.OutcomeMetric;
import dev.promptcanary.api.auth.Role;
import dev.promptcanary.api.errors.ApiException;
import dev.promptcanary.api.errors.FieldError;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Where apps report what happened: observations of served requests, judge scores and their own
 * outcome metrics. A batch is checked whole before anything is written, so a rejected batch leaves
 * nothing behind, and request ids make a retried batch count nothing twice.
 */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class OutcomeResource {
  private final IngestPath ingest;
  private final int maxBatchSize;

  public OutcomeResource(IngestPath ingest, int maxBatchSize) {
    this.ingest = ingest;
    this.maxBatchSize = maxBatchSize;
  }

  @POST
  @RolesAllowed(Role.CLIENT_NAME)
  @Path("/observations")
  public IngestResult observations(@NotNull ObservationBatch batch) {
    List<Observation> items = batch.observations();
    // Request ids are unique per prompt: one app request may use two prompts.
    check(
        batch,
        "observations",
        items,
        o -> o.prompt() + "\u0000" + o.requestId(),
        Observation::prompt,
        Observation::version);
    return ingest.observations(items);
  }

  @POST
  @RolesAllowed(Role.CLIENT_NAME)
  @Path("/judgements")
  public IngestResult judgements(@NotNull JudgementBatch batch) {
    List<Judgement> items = batch.judgements();
    // A judgement is identified by (prompt, request, judge): one request may carry scores from
    // several judges.
    check(
        batch,
        "judgements",
        items,
        j -> j.prompt() + "\u0000" + j.requestId() + "\u0000" + j.judge(),
        Judgement::prompt,
        Judgement::version);
    return ingest.judgements(items);
  }

  @POST
  @RolesAllowed(Role.CLIENT_NAME)
  @Path("/metrics")
  public IngestResult metrics(@NotNull MetricBatch batch) {
    List<OutcomeMetric> items = batch.metrics();
    check(
        batch,
        "metrics",
        items,
        OutcomeMetric::identity,
        "name",
        OutcomeMetric::prompt,
        OutcomeMetric::version,
        (m, i, errors) -> {
          String at = "metrics[" + i + "].value";
          if (m.value() != null
              && !Double.isFinite(m.value())
              && errors.stream().noneMatch(e -> e.field().equals(at))) {
            errors.add(new FieldError(at, "must be a finite number, was " + m.value()));
          }
        });
    return ingest.metrics(items);
  }

  /** A check of one item beyond bean validation, adding what it finds to {@code errors}. */
  private interface ItemCheck<T> {
    void check(T item, int index, List<FieldError> errors);
  }

  private <T> void check(
      Object batch,
      String field,
      List<T> items,
      Function<T, String> identity,
      Function<T, String> prompt,
      Function<T, Integer> version) {
    check(batch, field, items, identity, "requestId", prompt, version, (item, i, errors) -> {});
  }

  /**
   * The whole batch checked in one pass (field rules, duplicates, unknown versions, {@code more});
   * a 413 first when it holds more items than a batch may, a 422 listing every problem otherwise.
   */
  private <T> void check(
      Object batch,
      String field,
      List<T> items,
      Function<T, String> identity,
      String identityField,
      Function<T, String> prompt,
      Function<T, Integer> version,
      ItemCheck<T> more) {
    if (items != null && items.size() > maxBatchSize) {
      throw new ApiException(
          413,
          field,
          field + " holds " + items.size() + " items; a batch takes at most " + maxBatchSize);
    }
    BatchErrors errors = BatchErrors.of(batch);
    Map<String, Integer> firstIndex = new HashMap<>();
    for (int i = 0; items != null && i < items.size(); i++) {
      T item = items.get(i);
      String at = field + "[" + i + "]";
      if (item == null) {
        continue;
      }
      Integer earlier = firstIndex.putIfAbsent(identity.apply(item), i);
      if (earlier != null) {
        errors.add(
            new FieldError(
                at + "." + identityField,
                "duplicate of " + field + "[" + earlier + "] in the same batch"));
      }
      more.check(item, i, errors.list());
      if (prompt.apply(item) != null
          && version.apply(item) != null
          && !errors.hasProblemAt(at + ".prompt")
          && !errors.hasProblemAt(at + ".version")
          && !ingest.exists(prompt.apply(item), version.apply(item))) {
        errors.add(
            new FieldError(
                at + ".version",
                "prompt '" + prompt.apply(item) + "' has no version " + version.apply(item)));
      }
    }
    errors.throwIfAny();
  }
}
