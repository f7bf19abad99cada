package dev.promptcanary.api;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real OTLP payloads, made as an instrumented app makes them: spans built with the OpenTelemetry
 * SDK's tracer (GenAI attributes, {@code gen_ai.evaluation.result} events, error status), then
 * either sent by the SDK's own OTLP/HTTP exporter or encoded by its marshaler, in binary protobuf
 * or in OTLP/JSON, for a test that reads the answer itself.
 */
final class OtlpSpans implements AutoCloseable {
  /** One LLM call of an app: which version it served to which session, and how it went. */
  record Call(
      String prompt,
      Integer version,
      String session,
      Instant start,
      long latencyMs,
      long inputTokens,
      long outputTokens,
      boolean error,
      Double score) {}

  private final List<SpanData> finished = new ArrayList<>();
  private final SdkTracerProvider provider;
  private final Tracer tracer;

  OtlpSpans() {
    SpanExporter collect =
        new SpanExporter() {
          @Override
          public CompletableResultCode export(Collection<SpanData> spans) {
            synchronized (finished) {
              finished.addAll(spans);
            }
            return CompletableResultCode.ofSuccess();
          }

          @Override
          public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
          }

          @Override
          public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
          }
        };
    provider =
        SdkTracerProvider.builder()
            .setResource(
                Resource.getDefault()
                    .merge(
                        Resource.create(
                            Attributes.of(AttributeKey.stringKey("service.name"), "support-app"))))
            .addSpanProcessor(SimpleSpanProcessor.create(collect))
            .build();
    tracer = provider.get("promptcanary-test");
  }

  /** The span of one chat call, as GenAI instrumentation records it, with the app's attributes. */
  void call(Call call) {
    var builder =
        tracer
            .spanBuilder("chat gpt-4o-mini")
            .setSpanKind(SpanKind.CLIENT)
            .setStartTimestamp(call.start())
            .setAttribute("gen_ai.operation.name", "chat")
            .setAttribute("gen_ai.request.model", "gpt-4o-mini")
            .setAttribute("gen_ai.response.model", "gpt-4o-mini-2024-07-18")
            .setAttribute("gen_ai.usage.input_tokens", call.inputTokens())
            .setAttribute("gen_ai.usage.output_tokens", call.outputTokens());
    if (call.prompt() != null) {
      builder.setAttribute("promptcanary.prompt", call.prompt());
    }
    if (call.version() != null) {
      builder.setAttribute("promptcanary.version", (long) call.version());
    }
    if (call.session() != null) {
      builder.setAttribute("session.id", call.session());
    }
    Span span = builder.startSpan();
    if (call.error()) {
      span.setStatus(StatusCode.ERROR, "model timed out");
    }
    Instant end = call.start().plusMillis(call.latencyMs());
    if (call.score() != null) {
      span.addEvent(
          "gen_ai.evaluation.result",
          Attributes.of(
              AttributeKey.stringKey("gen_ai.evaluation.name"),
              "sim-judge",
              AttributeKey.doubleKey("gen_ai.evaluation.score.value"),
              call.score()),
          end);
    }
    span.end(end);
  }

  /** A span that is not about a prompt (an HTTP server span of the same app). */
  void unrelated(Instant start) {
    tracer
        .spanBuilder("GET /orders")
        .setSpanKind(SpanKind.SERVER)
        .setStartTimestamp(start)
        .setAttribute("http.request.method", "GET")
        .startSpan()
        .end(start.plusMillis(12));
  }

  /** The spans finished since the last call, taken. */
  List<SpanData> take() {
    synchronized (finished) {
      List<SpanData> spans = List.copyOf(finished);
      finished.clear();
      return spans;
    }
  }

  static byte[] protobuf(Collection<SpanData> spans) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      TraceRequestMarshaler.create(spans).writeBinaryTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static byte[] json(Collection<SpanData> spans) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      TraceRequestMarshaler.create(spans).writeJsonTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** The SDK's OTLP/HTTP exporter (protobuf), pointed at promptcanary with an API key. */
  static OtlpHttpSpanExporter exporter(String baseUrl, String apiKey, String compression) {
    return OtlpHttpSpanExporter.builder()
        .setEndpoint(baseUrl + "/v1/otlp/v1/traces")
        .addHeader("Authorization", "Bearer " + apiKey)
        .setCompression(compression)
        .setTimeout(Duration.ofSeconds(60))
        .build();
  }

  /** Sends {@code spans} with {@code exporter}; whether the export succeeded. */
  static boolean export(OtlpHttpSpanExporter exporter, Collection<SpanData> spans) {
    return exporter.export(spans).join(90, TimeUnit.SECONDS).isSuccess();
  }

  @Override
  public void close() {
    provider.close();
  }
}
