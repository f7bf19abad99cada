package dev.promptcanary.api.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.promptcanary.activities.model.ModelEndpoint.Price;
import dev.promptcanary.activities.model.PriceTable;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How one OTLP span reads as an observation and judgements, value by value. */
class SpanReaderTest {
  static final String TRACE = "5b8efff798038103d269b633813fc60c";
  static final String SPAN = "eee19b7ec3c1b174";
  static final long START = 1_796_083_200_123_456_789L;
  final SpanReader reader =
      new SpanReader(
          List.of("promptcanary.unit", "session.id"),
          Map.of("app.quality", "quality-judge"),
          new PriceTable(
              Map.of(
                  "gpt-4o", new Price(2.5, 10),
                  "gpt-4o-mini", new Price(0.15, 0.6))));

  static KeyValue text(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }

  static KeyValue integer(String key, long value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setIntValue(value))
        .build();
  }

  static KeyValue number(String key, double value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setDoubleValue(value))
        .build();
  }

  static Span.Builder span(KeyValue... attributes) {
    return Span.newBuilder()
        .setTraceId(ByteString.copyFrom(HexFormat.of().parseHex(TRACE)))
        .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex(SPAN)))
        .setName("chat gpt-4o-mini")
        .setStartTimeUnixNano(START)
        .setEndTimeUnixNano(START + 812_500_000L)
        .addAllAttributes(List.of(attributes));
  }

  SpanRead read(Span.Builder span) {
    return reader.read(Resource.getDefaultInstance(), span.build());
  }

  SpanRead.Outcomes outcomes(Span.Builder span) {
    SpanRead read = read(span);
    assertThat(read).isInstanceOf(SpanRead.Outcomes.class);
    return (SpanRead.Outcomes) read;
  }

  String rejection(Span.Builder span) {
    SpanRead read = read(span);
    assertThat(read).isInstanceOf(SpanRead.Rejected.class);
    return ((SpanRead.Rejected) read).reason();
  }

  @Test
  void aGenAiSpanIsAnObservationOfItsVersion() {
    var o =
        outcomes(
                span(
                        text("promptcanary.prompt", "support"),
                        integer("promptcanary.version", 3),
                        text("session.id", "s-1"),
                        integer("gen_ai.usage.input_tokens", 1000),
                        integer("gen_ai.usage.output_tokens", 500),
                        text("gen_ai.request.model", "gpt-4o"),
                        text("gen_ai.response.model", "gpt-4o-mini-2024-07-18"))
                    .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR)))
            .observation();
    assertThat(o.requestId()).isEqualTo(TRACE + "-" + SPAN);
    assertThat(o.prompt()).isEqualTo("support");
    assertThat(o.version()).isEqualTo(3);
    assertThat(o.unit()).isEqualTo("s-1");
    assertThat(o.observedAt()).isEqualTo(Instant.ofEpochSecond(1_796_083_200L, 123_456_789L));
    assertThat(o.latencyMs()).isEqualTo(812.5);
    assertThat(o.inputTokens()).isEqualTo(1000);
    assertThat(o.outputTokens()).isEqualTo(500);
    // the model that answered decides the price, by its longest prefix
    assertThat(o.cost())
        .isCloseTo((1000 * 0.15 + 500 * 0.6) / 1e6, org.assertj.core.data.Offset.offset(1e-15));
    assertThat(o.error()).isTrue();
    assertThat(o.safetyFlag()).isFalse();
    assertThat(o.feedback()).isNull();
  }

  @Test
  void valuesMayComeInTheOtherShapesAppsUse() {
    Span.Builder span =
        span(
            text("promptcanary.prompt", "support"),
            text("promptcanary.version", "2"),
            integer("promptcanary.unit", 42),
            text("session.id", "ignored: promptcanary.unit comes first"),
            number("gen_ai.usage.prompt_tokens", 10.0),
            integer("gen_ai.usage.completion_tokens", 4),
            text("gen_ai.request.model", "unpriced-model"),
            KeyValue.newBuilder()
                .setKey("promptcanary.safety_flag")
                .setValue(AnyValue.newBuilder().setBoolValue(true))
                .build(),
            integer("promptcanary.feedback", -1));
    var o = outcomes(span).observation();
    assertThat(o.version()).isEqualTo(2);
    assertThat(o.unit()).isEqualTo("42");
    assertThat(o.inputTokens()).isEqualTo(10);
    assertThat(o.outputTokens()).isEqualTo(4);
    assertThat(o.cost()).as("no price for the model: no cost").isNull();
    assertThat(o.safetyFlag()).isTrue();
    assertThat(o.feedback()).isEqualTo(-1);
  }

  @Test
  void theResourceMayCarryTheUnitAndASpanWithoutOneIsItsOwnUnit() {
    Span built = span(text("promptcanary.prompt", "p"), integer("promptcanary.version", 1)).build();
    Resource withSession =
        Resource.newBuilder().addAttributes(text("session.id", "from-resource")).build();
    assertThat(((SpanRead.Outcomes) reader.read(withSession, built)).observation().unit())
        .isEqualTo("from-resource");
    assertThat(
            ((SpanRead.Outcomes) reader.read(Resource.getDefaultInstance(), built))
                .observation()
                .unit())
        .isNull();
  }

  @Test
  void evaluationEventsAndScoreAttributesAreJudgementsOfTheSpansRequest() {
    long at = START + 2_000_000_000L;
    var read =
        outcomes(
            span(
                    text("promptcanary.prompt", "p"),
                    integer("promptcanary.version", 1),
                    text("session.id", "s"),
                    number("app.quality", 0.25))
                .addEvents(
                    Span.Event.newBuilder()
                        .setName("gen_ai.evaluation.result")
                        .setTimeUnixNano(at)
                        .addAttributes(text("gen_ai.evaluation.name", "relevance"))
                        .addAttributes(integer("gen_ai.evaluation.score.value", 1)))
                .addEvents(Span.Event.newBuilder().setName("gen_ai.choice")));
    assertThat(read.judgements()).hasSize(2);
    var relevance = read.judgements().get(0);
    assertThat(relevance.requestId()).isEqualTo(TRACE + "-" + SPAN);
    assertThat(relevance.judge()).isEqualTo("relevance");
    assertThat(relevance.score()).isEqualTo(1.0);
    assertThat(relevance.judgedAt()).isEqualTo(Instant.ofEpochSecond(0, at));
    assertThat(relevance.unit()).isEqualTo("s");
    assertThat(relevance.servedAt()).isEqualTo(read.observation().observedAt());
    var quality = read.judgements().get(1);
    assertThat(quality.judge()).isEqualTo("quality-judge");
    assertThat(quality.score()).isEqualTo(0.25);
  }

  @Test
  void aSpanWithoutThePromptAttributeIsNotOurs() {
    assertThat(read(span(text("http.request.method", "GET")))).isInstanceOf(SpanRead.Ignored.class);
  }

  @Test
  void aPromptsSpanThatCannotBeReadIsRefusedWithItsReason() {
    assertThat(rejection(span(text("promptcanary.prompt", "p"))))
        .isEqualTo("the span has promptcanary.prompt but no promptcanary.version");
    assertThat(
            rejection(span(text("promptcanary.prompt", "p"), text("promptcanary.version", "v2"))))
        .isEqualTo("promptcanary.version must be an integer, was 'v2'");
    assertThat(
            rejection(span(integer("promptcanary.prompt", 7), integer("promptcanary.version", 1))))
        .isEqualTo("promptcanary.prompt must be a string");
    assertThat(
            rejection(
                span(text("promptcanary.prompt", "p"), integer("promptcanary.version", 1))
                    .setEndTimeUnixNano(START - 1)))
        .isEqualTo("the span ends before it starts");
    assertThat(
            rejection(
                span(text("promptcanary.prompt", "p"), integer("promptcanary.version", 1))
                    .setSpanId(ByteString.EMPTY)))
        .contains("8-byte span id");
    assertThat(
            rejection(
                span(
                    text("promptcanary.prompt", "p"),
                    integer("promptcanary.version", 1),
                    number("app.quality", Double.NaN))))
        .isEqualTo("app.quality must be a finite number, was NaN");
    assertThat(
            rejection(
                span(text("promptcanary.prompt", "p"), integer("promptcanary.version", 1))
                    .addEvents(
                        Span.Event.newBuilder()
                            .setName("gen_ai.evaluation.result")
                            .addAttributes(number("gen_ai.evaluation.score.value", 0.5)))))
        .contains("needs gen_ai.evaluation.name");
  }
}
