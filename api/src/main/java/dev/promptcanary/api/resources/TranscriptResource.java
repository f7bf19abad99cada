package dev.promptcanary.api.resources;

import dev.promptcanary.activities.ingest.KnownVersions;
import dev.promptcanary.activities.model.JudgePool;
import dev.promptcanary.activities.model.Transcript;
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
import jakarta.ws.rs.core.Response;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where apps report transcripts of a sampled share of requests for live judging. The batch is
 * checked whole (as {@code /v1/observations} is), then each transcript is offered to the judge pool
 * without waiting: the answer is 202 with how many were queued and how many were dropped because
 * the pool's queue was full. Scores arrive later as judgements. With live judging off, 503.
 */
@Path("/v1/transcripts")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TranscriptResource {
  private final JudgePool pool;
  private final KnownVersions knownVersions;
  private final int maxBatchSize;

  public record Queued(int queued, int dropped, String judge) {}

  /** {@code pool} null: live judging is off. */
  public TranscriptResource(JudgePool pool, KnownVersions knownVersions, int maxBatchSize) {
    this.pool = pool;
    this.knownVersions = knownVersions;
    this.maxBatchSize = maxBatchSize;
  }

  @POST
  @RolesAllowed(Role.CLIENT_NAME)
  public Response transcripts(@NotNull TranscriptBatch batch) {
    if (pool == null) {
      throw new ApiException(503, "transcripts", "live judging is off (judge.enabled: false)");
    }
    List<Transcript> items = batch.transcripts();
    if (items != null && items.size() > maxBatchSize) {
      throw new ApiException(
          413,
          "transcripts",
          "transcripts holds " + items.size() + " items; a batch takes at most " + maxBatchSize);
    }
    BatchErrors errors = BatchErrors.of(batch);
    Map<String, Integer> firstIndex = new HashMap<>();
    for (int i = 0; items != null && i < items.size(); i++) {
      Transcript t = items.get(i);
      String at = "transcripts[" + i + "]";
      if (t == null) {
        continue;
      }
      Integer earlier = firstIndex.putIfAbsent(t.prompt() + "\u0000" + t.requestId(), i);
      if (earlier != null) {
        errors.add(
            new FieldError(
                at + ".requestId", "duplicate of transcripts[" + earlier + "] in the same batch"));
      }
      if (t.prompt() != null
          && t.version() != null
          && !errors.hasProblemAt(at + ".prompt")
          && !errors.hasProblemAt(at + ".version")
          && !knownVersions.exists(t.prompt(), t.version())) {
        errors.add(
            new FieldError(
                at + ".version", "prompt '" + t.prompt() + "' has no version " + t.version()));
      }
    }
    errors.throwIfAny();
    int queued = 0;
    for (Transcript t : items) {
      if (pool.submit(t)) {
        queued++;
      }
    }
    return Response.accepted(new Queued(queued, items.size() - queued, pool.judgeName())).build();
  }
}
