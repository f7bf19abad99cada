package dev.promptcanary.api.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.promptcanary.api.errors.ApiException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** OTLP/JSON as the spec writes it: hex ids, either field-name style, unknown fields ignored. */
class OtlpPayloadsTest {
  static ExportTraceServiceRequest json(String text) {
    return OtlpPayloads.fromJson(text.getBytes(StandardCharsets.UTF_8));
  }

  static String hex(com.google.protobuf.ByteString bytes) {
    return HexFormat.of().formatHex(bytes.toByteArray());
  }

  @Test
  void idsAreReadAsHexUnderEitherNameAndUnknownFieldsAreIgnored() {
    ExportTraceServiceRequest request =
        json(
            """
            {"resourceSpans": [{"futureField": 1, "scopeSpans": [{"spans": [
              {"traceId": "5B8EFFF798038103D269B633813FC60C", "spanId": "eee19b7ec3c1b174",
               "parentSpanId": "", "kind": 3, "startTimeUnixNano": "1796083200000000000",
               "links": [{"traceId": "0af7651916cd43dd8448eb211c80319c", "spanId": "b7ad6b7169203331"}],
               "status": {"code": 2}},
              {"trace_id": "0af7651916cd43dd8448eb211c80319c", "span_id": "00f067aa0ba902b7",
               "start_time_unix_nano": 1796083200000000000}]}]}]}""");
    Span first = request.getResourceSpans(0).getScopeSpans(0).getSpans(0);
    assertThat(hex(first.getTraceId())).isEqualTo("5b8efff798038103d269b633813fc60c");
    assertThat(hex(first.getSpanId())).isEqualTo("eee19b7ec3c1b174");
    assertThat(first.getParentSpanId().isEmpty()).isTrue();
    assertThat(first.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
    assertThat(first.getStatus().getCode().getNumber()).isEqualTo(2);
    assertThat(hex(first.getLinks(0).getSpanId())).isEqualTo("b7ad6b7169203331");
    Span second = request.getResourceSpans(0).getScopeSpans(0).getSpans(1);
    assertThat(hex(second.getSpanId())).isEqualTo("00f067aa0ba902b7");
    assertThat(second.getStartTimeUnixNano()).isEqualTo(1_796_083_200_000_000_000L);
  }

  @Test
  void aBodyThatIsNotAnExportIsA400NamingWhere() {
    assertThatThrownBy(() -> json("[]"))
        .isInstanceOfSatisfying(
            ApiException.class, e -> assertThat(e.response().code()).isEqualTo(400));
    assertThatThrownBy(
            () ->
                json(
                    "{\"resourceSpans\": [{}, {\"scopeSpans\": [{\"spans\": [{}, {\"spanId\": \"xyz\"}]}]}]}"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e ->
                assertThat(e.response().field())
                    .isEqualTo("resourceSpans[1].scopeSpans[0].spans[1].spanId"));
    assertThatThrownBy(() -> json("{\"resourceSpans\": [{\"scopeSpans\": 5}]}"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> assertThat(e.response().message()).contains("not an OTLP/JSON"));
    assertThatThrownBy(() -> OtlpPayloads.fromProtobuf(new byte[] {0x0a, 0x05, 0x01}))
        .isInstanceOfSatisfying(
            ApiException.class, e -> assertThat(e.response().field()).isEqualTo("body"));
  }
}
