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

  /**
   * What a batch of one kind is checked for beyond bean validation: its field, what makes two items
   * the same (and the field a duplicate is reported at), each item's prompt and version, and any
   * further check of an item.
   */
  private record BatchRules<T>(
      String field,
      Function<T, String> identity,
      String identityField,
      Function<T, String> prompt,
      Function<T, Integer> version,
      ItemCheck<T> more) {}

  /** A check of one item beyond bean validation, adding what it finds to {@code errors}. */
  private interface ItemCheck<T> {
    void check(T item, int index, List<FieldError> errors);
  }

  // Request ids are unique per prompt: one app request may use two prompts.
  private static final BatchRules<Observation> OBSERVATIONS =
      new BatchRules<>(
          "observations",
          o -> o.prompt() + "\u0000" + o.requestId(),
          "requestId",
          Observation::prompt,
          Observation::version,
          (item, i, errors) -> {});

  // A judgement is identified by (prompt, request, judge): one request may carry scores from
  // several judges.
  private static final BatchRules<Judgement> JUDGEMENTS =
      new BatchRules<>(
          "judgements",
          j -> j.prompt() + "\u0000" + j.requestId() + "\u0000" + j.judge(),
          "requestId",
          Judgement::prompt,
          Judgement::version,
          (item, i, errors) -> {});

  private static final BatchRules<OutcomeMetric> METRICS =
      new BatchRules<>(
          "metrics",
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

  @POST
  @RolesAllowed(Role.CLIENT_NAME)
  @Path("/observations")
  public IngestResult observations(@NotNull ObservationBatch batch) {
    return ingest.observations(checked(batch, batch.observations(), OBSERVATIONS));
  }

  @POST
  @RolesAllowed(Role.CLIENT_NAME)
  @Path("/judgements")
  public IngestResult judgements(@NotNull JudgementBatch batch) {
    return ingest.judgements(checked(batch, batch.judgements(), JUDGEMENTS));
  }

  @POST
  @RolesAllowed(Role.CLIENT_NAME)
  @Path("/metrics")
  public IngestResult metrics(@NotNull MetricBatch batch) {
    return ingest.metrics(checked(batch, batch.metrics(), METRICS));
  }

  /**
   * The whole batch checked in one pass (field rules, duplicates, unknown versions, {@code more});
   * a 413 first when it holds more items than a batch may, a 422 listing every problem otherwise.
   */
  private <T> List<T> checked(Object batch, List<T> items, BatchRules<T> rules) {
    String field = rules.field();
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
      Integer earlier = firstIndex.putIfAbsent(rules.identity().apply(item), i);
      if (earlier != null) {
        errors.add(
            new FieldError(
                at + "." + rules.identityField(),
                "duplicate of " + field + "[" + earlier + "] in the same batch"));
      }
      rules.more().check(item, i, errors.list());
      String prompt = rules.prompt().apply(item);
      Integer version = rules.version().apply(item);
      if (prompt != null
          && version != null
          && !errors.hasProblemAt(at + ".prompt")
          && !errors.hasProblemAt(at + ".version")
          && !ingest.exists(prompt, version)) {
        errors.add(
            new FieldError(at + ".version", "prompt '" + prompt + "' has no version " + version));
      }
    }
    errors.throwIfAny();
    return items;
  }
}
