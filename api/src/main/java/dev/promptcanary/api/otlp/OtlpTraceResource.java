package dev.promptcanary.api.otlp;

import dev.promptcanary.activities.ingest.IngestResult;
import dev.promptcanary.activities.ingest.Judgement;
import dev.promptcanary.activities.ingest.Observation;
import dev.promptcanary.api.auth.Role;
import dev.promptcanary.api.resources.IngestPath;
import io.dropwizard.validation.BaseValidator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * OTLP/HTTP trace ingest (the collector's {@code /v1/traces}, under {@code /v1/otlp}), so an app
 * already instrumented with OpenTelemetry reports to promptcanary by pointing an exporter here. A
 * span that names a prompt version ({@code promptcanary.prompt}, {@code promptcanary.version})
 * becomes an observation, and its evaluation events judgements, stored by the same path as {@code
 * POST /v1/observations} and {@code /v1/judgements}, under the same rules (checked by the same
 * field constraints; unknown versions refused). Other spans are not promptcanary's and are left
 * out.
 *
 * <p>Unlike the JSON batches, which are refused whole, an export is taken in part, as OTLP expects:
 * a span that cannot be stored (no version, an unknown version, a bad value) is left out with
 * everything it carries, and the answer's {@code partial_success} counts the spans left out and
 * says why. Only a body that is not an OTLP export at all is a 400. The answer is in the request's
 * encoding.
 */
@Path("/v1/otlp/v1/traces")
public class OtlpTraceResource {
  public static final String PROTOBUF = "application/x-protobuf";
  private static final int REASONS_SHOWN = 5;
  private static final Validator VALIDATOR = BaseValidator.newValidator();

  private final IngestPath ingest;
  private final SpanReader reader;
  private final int maxBatchSize;
  private final MeterRegistry meters;

  public OtlpTraceResource(
      IngestPath ingest, SpanReader reader, int maxBatchSize, MeterRegistry meters) {
    this.ingest = ingest;
    this.reader = reader;
    this.maxBatchSize = maxBatchSize;
    this.meters = meters;
  }

  @POST
  @RolesAllowed(Role.CLIENT_NAME)
  @Consumes({PROTOBUF, MediaType.APPLICATION_JSON})
  @Produces({PROTOBUF, MediaType.APPLICATION_JSON})
  @Operation(
      summary = "OTLP/HTTP trace export: spans of prompt versions become observations",
      description =
          "An OTLP ExportTraceServiceRequest, binary protobuf or OTLP/JSON (hex ids). Spans with"
              + " promptcanary.prompt and promptcanary.version become observations;"
              + " gen_ai.evaluation.result events judgements. The answer, in the request's"
              + " encoding, is an ExportTraceServiceResponse whose partial_success counts the"
              + " spans left out and says why (docs/otlp.md).",
      requestBody =
          @RequestBody(
              required = true,
              content = {
                @Content(
                    mediaType = PROTOBUF,
                    schema = @Schema(type = "string", format = "binary")),
                @Content(
                    mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(type = "object", description = "OTLP/JSON"))
              }),
      responses = {
        @ApiResponse(
            responseCode = "200",
            description = "ExportTraceServiceResponse",
            content = {
              @Content(mediaType = PROTOBUF, schema = @Schema(type = "string", format = "binary")),
              @Content(
                  mediaType = MediaType.APPLICATION_JSON,
                  schema = @Schema(type = "object", description = "OTLP/JSON"))
            }),
        @ApiResponse(responseCode = "400", description = "not an OTLP trace export")
      })
  public Response export(@Context HttpHeaders headers, byte[] body) {
    boolean json = MediaType.APPLICATION_JSON_TYPE.isCompatible(headers.getMediaType());
    ExportTraceServiceRequest request =
        json ? OtlpPayloads.fromJson(body) : OtlpPayloads.fromProtobuf(body);
    ExportTraceServiceResponse response = ingest(request);
    return json
        ? Response.ok(OtlpPayloads.toJson(response), MediaType.APPLICATION_JSON_TYPE).build()
        : Response.ok(response.toByteArray(), PROTOBUF).build();
  }

  private ExportTraceServiceResponse ingest(ExportTraceServiceRequest request) {
    List<Observation> observations = new ArrayList<>();
    List<Judgement> judgements = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    int ignored = 0;
    int inRequestTwice = 0;
    List<SpanRead.Rejected> rejected = new ArrayList<>();
    for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
      for (ScopeSpans scope : resourceSpans.getScopeSpansList()) {
        for (Span span : scope.getSpansList()) {
          SpanRead read = reader.read(resourceSpans.getResource(), span);
          if (read instanceof SpanRead.Outcomes outcomes) {
            String problem = problem(outcomes);
            read = problem == null ? read : new SpanRead.Rejected(outcomes.span(), problem);
          }
          if (read instanceof SpanRead.Ignored) {
            ignored++;
          } else if (read instanceof SpanRead.Rejected r) {
            rejected.add(r);
          } else if (read instanceof SpanRead.Outcomes o) {
            Observation observation = o.observation();
            if (!seen.add(observation.prompt() + "\u0000" + observation.requestId())) {
              inRequestTwice++;
              continue;
            }
            observations.add(observation);
            // one score per judge and request, as in POST /v1/judgements
            Set<String> judges = new HashSet<>();
            o.judgements().stream().filter(j -> judges.add(j.judge())).forEach(judgements::add);
          }
        }
      }
    }
    IngestResult stored = store(observations, judgements);
    count("accepted", stored.accepted());
    count("duplicate", stored.duplicates() + inRequestTwice);
    count("ignored", ignored);
    count("rejected", rejected.size());
    int leftOut = ignored + rejected.size();
    if (leftOut == 0) {
      return ExportTraceServiceResponse.getDefaultInstance();
    }
    return ExportTraceServiceResponse.newBuilder()
        .setPartialSuccess(
            ExportTracePartialSuccess.newBuilder()
                .setRejectedSpans(leftOut)
                .setErrorMessage(message(ignored, rejected)))
        .build();
  }

  /** Observations first, so each judgement finds its request's unit and serving time at ingest. */
  private IngestResult store(List<Observation> observations, List<Judgement> judgements) {
    int accepted = 0;
    int duplicates = 0;
    for (int from = 0; from < observations.size(); from += maxBatchSize) {
      IngestResult part =
          ingest.observations(
              observations.subList(from, Math.min(observations.size(), from + maxBatchSize)));
      accepted += part.accepted();
      duplicates += part.duplicates();
    }
    for (int from = 0; from < judgements.size(); from += maxBatchSize) {
      ingest.judgements(judgements.subList(from, Math.min(judgements.size(), from + maxBatchSize)));
    }
    return new IngestResult(accepted, duplicates);
  }

  /**
   * What keeps a span's outcomes out of the store: the constraints of {@code POST /v1/observations}
   * and {@code /v1/judgements}, a NUL (which PostgreSQL cannot store), an unknown version; null
   * when they can be stored.
   */
  private String problem(SpanRead.Outcomes outcomes) {
    Observation observation = outcomes.observation();
    String problem = firstViolation(VALIDATOR.validate(observation), "");
    for (Judgement judgement : outcomes.judgements()) {
      if (problem == null) {
        problem = firstViolation(VALIDATOR.validate(judgement), judgement.judge() + ": ");
      }
    }
    if (problem != null) {
      return problem;
    }
    if (hasNul(observation.prompt())
        || hasNul(observation.unit())
        || outcomes.judgements().stream().anyMatch(j -> hasNul(j.judge()))) {
      return "a prompt, unit or judge name holds a NUL character";
    }
    if (!ingest.exists(observation.prompt(), observation.version())) {
      return "prompt '" + observation.prompt() + "' has no version " + observation.version();
    }
    return null;
  }

  private static <T> String firstViolation(Set<ConstraintViolation<T>> violations, String prefix) {
    return violations.stream()
        .map(v -> prefix + attributeOf(v.getPropertyPath().toString()) + ": " + v.getMessage())
        .min(Comparator.naturalOrder())
        .orElse(null);
  }

  /** The attribute a field of an observation or judgement came from, for the app's developer. */
  private static String attributeOf(String field) {
    return switch (field) {
      case "prompt" -> SpanReader.PROMPT;
      case "version" -> SpanReader.VERSION;
      case "inputTokens" -> "gen_ai.usage.input_tokens";
      case "outputTokens" -> "gen_ai.usage.output_tokens";
      case "latencyMs" -> "the span's duration (ms)";
      case "observedAt" -> "the span's start time";
      case "judgedAt" -> "the evaluation's time";
      case "feedback" -> SpanReader.FEEDBACK;
      case "judge" -> SpanReader.EVALUATION_NAME;
      case "score" -> "the score";
      default -> field;
    };
  }

  private static boolean hasNul(String text) {
    return text != null && text.indexOf('\u0000') >= 0;
  }

  private static String message(int ignored, List<SpanRead.Rejected> rejected) {
    List<String> parts = new ArrayList<>();
    if (ignored > 0) {
      parts.add(
          ignored
              + (ignored == 1 ? " span carries" : " spans carry")
              + " no "
              + SpanReader.PROMPT
              + " attribute and "
              + (ignored == 1 ? "was" : "were")
              + " left out");
    }
    if (!rejected.isEmpty()) {
      StringBuilder text =
          new StringBuilder(
              rejected.size()
                  + (rejected.size() == 1 ? " span was" : " spans were")
                  + " refused: ");
      int shown = 0;
      for (SpanRead.Rejected r : rejected) {
        if (shown == REASONS_SHOWN) {
          text.append("; and ").append(rejected.size() - shown).append(" more");
          break;
        }
        text.append(shown == 0 ? "" : "; ").append(r.span()).append(": ").append(r.reason());
        shown++;
      }
      parts.add(text.toString());
    }
    return String.join("; ", parts);
  }

  private void count(String result, int n) {
    if (n > 0) {
      Counter.builder("promptcanary.otlp.spans")
          .description("OTLP spans received, by what became of them")
          .tag("result", result)
          .register(meters)
          .increment(n);
    }
  }
}
