package dev.promptcanary.api.otlp;

import com.google.protobuf.ByteString;
import dev.promptcanary.activities.ingest.Judgement;
import dev.promptcanary.activities.ingest.Observation;
import dev.promptcanary.activities.model.ModelEndpoint.Price;
import dev.promptcanary.activities.model.PriceTable;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads an OTLP span as an observation, after the OpenTelemetry GenAI semantic conventions: the
 * span's start and end give the time served and the latency, {@code gen_ai.usage.input_tokens} and
 * {@code output_tokens} the tokens (the older {@code prompt_tokens} and {@code completion_tokens}
 * too), {@code gen_ai.response.model} (else {@code gen_ai.request.model}) the price, the span's
 * status the error; {@code gen_ai.evaluation.result} events become judge scores. Which prompt
 * version it served is the app's to say, in {@code promptcanary.prompt} and {@code
 * promptcanary.version}. Attributes are looked up on the span, then on its resource.
 *
 * <p>The request id is the span's identity, {@code <trace id>-<span id>} in lower-case hex, so a
 * span exported twice (an exporter's retry) is counted once, and an app can report judgements or
 * transcripts for it through the other endpoints.
 */
public final class SpanReader {
  public static final String PROMPT = "promptcanary.prompt";
  public static final String VERSION = "promptcanary.version";
  public static final String SAFETY_FLAG = "promptcanary.safety_flag";
  public static final String FEEDBACK = "promptcanary.feedback";
  public static final String EVALUATION_EVENT = "gen_ai.evaluation.result";
  public static final String EVALUATION_NAME = "gen_ai.evaluation.name";
  public static final String EVALUATION_SCORE = "gen_ai.evaluation.score.value";
  private static final List<String> INPUT_TOKENS =
      List.of("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens");
  private static final List<String> OUTPUT_TOKENS =
      List.of("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens");
  private static final HexFormat HEX = HexFormat.of();

  private final List<String> unitAttributes;
  private final Map<String, String> scoreAttributes;
  private final PriceTable prices;

  public SpanReader(
      List<String> unitAttributes, Map<String, String> scoreAttributes, PriceTable prices) {
    this.unitAttributes = List.copyOf(unitAttributes);
    this.scoreAttributes = Map.copyOf(scoreAttributes);
    this.prices = prices;
  }

  /** The request id of a span: its trace and span ids in hex. */
  public static String requestId(ByteString traceId, ByteString spanId) {
    return HEX.formatHex(traceId.toByteArray()) + "-" + HEX.formatHex(spanId.toByteArray());
  }

  public SpanRead read(Resource resource, Span span) {
    Attributes attributes = new Attributes(span.getAttributesList(), resource.getAttributesList());
    AnyValue prompt = attributes.get(PROMPT);
    if (prompt == null) {
      return new SpanRead.Ignored();
    }
    String name = "span " + HEX.formatHex(span.getSpanId().toByteArray());
    if (!span.getName().isEmpty()) {
      name += " (" + clip(span.getName()) + ")";
    }
    try {
      return outcomes(name, span, attributes, prompt);
    } catch (UnreadableSpan e) {
      return new SpanRead.Rejected(name, e.getMessage());
    }
  }

  private SpanRead outcomes(String name, Span span, Attributes attributes, AnyValue prompt) {
    if (span.getTraceId().size() != 16 || span.getSpanId().size() != 8) {
      throw new UnreadableSpan("a span needs a 16-byte trace id and an 8-byte span id");
    }
    String requestId = requestId(span.getTraceId(), span.getSpanId());
    String promptName = text(PROMPT, prompt);
    int version = integer(VERSION, attributes.get(VERSION), true);
    String unit = null;
    for (String key : unitAttributes) {
      AnyValue value = attributes.get(key);
      if (value != null) {
        unit = unitText(key, value);
        break;
      }
    }
    long start = span.getStartTimeUnixNano();
    long end = span.getEndTimeUnixNano();
    if (start == 0 || end == 0) {
      throw new UnreadableSpan("the span has no start or no end time");
    }
    if (Long.compareUnsigned(end, start) < 0) {
      throw new UnreadableSpan("the span ends before it starts");
    }
    Instant servedAt = instant(start);
    Integer inputTokens = firstInteger(attributes, INPUT_TOKENS);
    Integer outputTokens = firstInteger(attributes, OUTPUT_TOKENS);
    Double cost = cost(attributes, inputTokens, outputTokens);
    AnyValue safety = attributes.get(SAFETY_FLAG);
    if (safety != null && safety.getValueCase() != AnyValue.ValueCase.BOOL_VALUE) {
      throw new UnreadableSpan(SAFETY_FLAG + " must be a boolean");
    }
    AnyValue feedback = attributes.get(FEEDBACK);
    Observation observation =
        new Observation(
            requestId,
            promptName,
            version,
            unit,
            servedAt,
            (end - start) / 1_000_000.0,
            inputTokens,
            outputTokens,
            cost,
            span.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR,
            safety != null && safety.getBoolValue(),
            feedback == null ? null : integer(FEEDBACK, feedback, false));
    List<Judgement> judgements = new ArrayList<>();
    for (Span.Event event : span.getEventsList()) {
      if (!event.getName().equals(EVALUATION_EVENT)) {
        continue;
      }
      Attributes on = new Attributes(event.getAttributesList(), List.of());
      AnyValue judge = on.get(EVALUATION_NAME);
      AnyValue score = on.get(EVALUATION_SCORE);
      if (judge == null || score == null) {
        throw new UnreadableSpan(
            "a "
                + EVALUATION_EVENT
                + " event needs "
                + EVALUATION_NAME
                + " and "
                + EVALUATION_SCORE);
      }
      long at = event.getTimeUnixNano() == 0 ? end : event.getTimeUnixNano();
      judgements.add(
          new Judgement(
              requestId,
              promptName,
              version,
              text(EVALUATION_NAME, judge),
              number(EVALUATION_SCORE, score),
              instant(at),
              unit,
              servedAt));
    }
    for (Map.Entry<String, String> scored : scoreAttributes.entrySet()) {
      AnyValue score = attributes.get(scored.getKey());
      if (score != null) {
        judgements.add(
            new Judgement(
                requestId,
                promptName,
                version,
                scored.getValue(),
                number(scored.getKey(), score),
                instant(end),
                unit,
                servedAt));
      }
    }
    return new SpanRead.Outcomes(name, observation, judgements);
  }

  /** Cost from the price of the model that answered (else the one asked for); null if unpriced. */
  private Double cost(Attributes attributes, Integer inputTokens, Integer outputTokens) {
    if (inputTokens == null && outputTokens == null) {
      return null;
    }
    Price price =
        Optional.ofNullable(prices.priceOf(optionalText(attributes, "gen_ai.response.model")))
            .orElseGet(() -> prices.priceOf(optionalText(attributes, "gen_ai.request.model")));
    if (price == null) {
      return null;
    }
    return price.cost(
        inputTokens == null ? 0 : inputTokens, outputTokens == null ? 0 : outputTokens);
  }

  private static String optionalText(Attributes attributes, String key) {
    AnyValue value = attributes.get(key);
    return value != null && value.getValueCase() == AnyValue.ValueCase.STRING_VALUE
        ? value.getStringValue()
        : null;
  }

  private static Integer firstInteger(Attributes attributes, List<String> keys) {
    for (String key : keys) {
      AnyValue value = attributes.get(key);
      if (value != null) {
        return integer(key, value, false);
      }
    }
    return null;
  }

  private static Instant instant(long unixNanos) {
    return Instant.ofEpochSecond(
        Long.divideUnsigned(unixNanos, 1_000_000_000L),
        Long.remainderUnsigned(unixNanos, 1_000_000_000L));
  }

  private static String text(String key, AnyValue value) {
    if (value.getValueCase() != AnyValue.ValueCase.STRING_VALUE) {
      throw new UnreadableSpan(key + " must be a string");
    }
    return value.getStringValue();
  }

  /** A unit is text; an app that keeps session ids as numbers gets them as their decimal text. */
  private static String unitText(String key, AnyValue value) {
    return switch (value.getValueCase()) {
      case STRING_VALUE -> value.getStringValue();
      case INT_VALUE -> Long.toString(value.getIntValue());
      default -> throw new UnreadableSpan(key + " must be a string or an integer");
    };
  }

  /** An integer attribute: an int, an integral double, or (for the version) decimal text. */
  private static int integer(String key, AnyValue value, boolean textAllowed) {
    if (value == null) {
      throw new UnreadableSpan("the span has " + PROMPT + " but no " + key);
    }
    long n;
    switch (value.getValueCase()) {
      case INT_VALUE -> n = value.getIntValue();
      case DOUBLE_VALUE -> {
        double d = value.getDoubleValue();
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
          throw new UnreadableSpan(key + " must be an integer, was " + d);
        }
        n = (long) d;
      }
      case STRING_VALUE -> {
        String text = value.getStringValue().strip();
        if (!textAllowed || !text.matches("-?\\d{1,10}")) {
          throw new UnreadableSpan(key + " must be an integer, was '" + clip(text) + "'");
        }
        n = Long.parseLong(text);
      }
      default -> throw new UnreadableSpan(key + " must be an integer");
    }
    if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
      throw new UnreadableSpan(key + " is out of range: " + n);
    }
    return (int) n;
  }

  private static double number(String key, AnyValue value) {
    double number =
        switch (value.getValueCase()) {
          case DOUBLE_VALUE -> value.getDoubleValue();
          case INT_VALUE -> value.getIntValue();
          default -> throw new UnreadableSpan(key + " must be a number");
        };
    if (!Double.isFinite(number)) {
      throw new UnreadableSpan(key + " must be a finite number, was " + number);
    }
    return number;
  }

  private static String clip(String text) {
    return text.length() <= 80 ? text : text.substring(0, 80) + "...";
  }

  /** A span's attributes over its resource's: the first value of a key on the span wins. */
  private static final class Attributes {
    private final Map<String, AnyValue> values = new HashMap<>();

    Attributes(List<KeyValue> own, List<KeyValue> inherited) {
      for (KeyValue kv : own) {
        values.putIfAbsent(kv.getKey(), kv.getValue());
      }
      for (KeyValue kv : inherited) {
        values.putIfAbsent(kv.getKey(), kv.getValue());
      }
    }

    /** The value, or null when absent or empty (OTLP's unset value). */
    AnyValue get(String key) {
      AnyValue value = values.get(key);
      return value == null || value.getValueCase() == AnyValue.ValueCase.VALUE_NOT_SET
          ? null
          : value;
    }
  }

  private static final class UnreadableSpan extends RuntimeException {
    UnreadableSpan(String message) {
      super(message, null, false, false);
    }
  }
}
