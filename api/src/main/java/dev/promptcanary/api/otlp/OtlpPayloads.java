package dev.promptcanary.api.otlp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.promptcanary.api.errors.ApiException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.io.IOException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * OTLP/HTTP trace export bodies in both encodings: binary protobuf, and OTLP/JSON, which is
 * protobuf's JSON mapping with two differences that {@link JsonFormat} does not know about: trace
 * and span ids are hex, not base64, and unknown fields must be ignored. So the ids are rewritten
 * from hex to base64 in the JSON tree before {@link JsonFormat} reads it (parsing them as base64
 * would not fail: 32 hex digits are valid base64 for 24 other bytes).
 */
public final class OtlpPayloads {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().omittingInsignificantWhitespace();
  private static final List<String> SPAN_IDS = List.of("traceId", "spanId", "parentSpanId");
  private static final List<String> LINK_IDS = List.of("traceId", "spanId");

  private OtlpPayloads() {}

  public static ExportTraceServiceRequest fromProtobuf(byte[] body) {
    try {
      return ExportTraceServiceRequest.parseFrom(body);
    } catch (InvalidProtocolBufferException e) {
      throw new ApiException(
          400, "body", "the body is not an OTLP ExportTraceServiceRequest: " + e.getMessage());
    }
  }

  public static ExportTraceServiceRequest fromJson(byte[] body) {
    JsonNode tree;
    try {
      tree = JSON.readTree(body);
    } catch (IOException e) {
      throw new ApiException(400, "body", "the body is not JSON: " + firstLine(e));
    }
    if (tree == null || !tree.isObject()) {
      throw new ApiException(400, "body", "an OTLP/JSON body is one JSON object");
    }
    hexIdsToBase64(tree);
    ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
    try {
      PARSER.merge(JSON.writeValueAsString(tree), request);
    } catch (InvalidProtocolBufferException | JsonProcessingException | RuntimeException e) {
      // RuntimeException too: JsonFormat lets a few of its parser's own escape (a number's
      // NumberFormatException, Gson's syntax errors), and none of them is the server's fault
      throw new ApiException(
          400, "body", "the body is not an OTLP/JSON ExportTraceServiceRequest: " + firstLine(e));
    }
    return request.build();
  }

  public static byte[] toJson(ExportTraceServiceResponse response) {
    try {
      return PRINTER.print(response).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every span's and link's ids, under either of protobuf's JSON names for them. */
  private static void hexIdsToBase64(JsonNode request) {
    int r = 0;
    for (JsonNode resource : array(request, "resourceSpans", "resource_spans")) {
      int c = 0;
      for (JsonNode scope : array(resource, "scopeSpans", "scope_spans")) {
        int s = 0;
        for (JsonNode span : array(scope, "spans", "spans")) {
          String at = "resourceSpans[" + r + "].scopeSpans[" + c + "].spans[" + s++ + "]";
          rewrite(span, SPAN_IDS, at);
          int l = 0;
          for (JsonNode link : array(span, "links", "links")) {
            rewrite(link, LINK_IDS, at + ".links[" + l++ + "]");
          }
        }
        c++;
      }
      r++;
    }
  }

  private static Iterable<JsonNode> array(JsonNode parent, String camel, String snake) {
    JsonNode node = parent.has(camel) ? parent.get(camel) : parent.get(snake);
    return node != null && node.isArray() ? node : List.of();
  }

  private static void rewrite(JsonNode node, List<String> camelNames, String at) {
    if (!(node instanceof ObjectNode object)) {
      return;
    }
    for (String camel : camelNames) {
      String snake = camel.replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT);
      for (String key : List.of(camel, snake)) {
        JsonNode id = object.get(key);
        if (id != null && id.isTextual()) {
          object.set(key, new TextNode(base64OfHex(id.asText(), at + "." + camel)));
        }
      }
    }
  }

  private static String base64OfHex(String hex, String field) {
    try {
      return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex));
    } catch (IllegalArgumentException e) {
      throw new ApiException(
          400,
          field,
          field
              + ": OTLP/JSON ids are hex (e.g. \"5b8efff798038103d269b633813fc60c\"), was \""
              + (hex.length() > 40 ? hex.substring(0, 40) + "..." : hex)
              + "\"");
    }
  }

  private static String firstLine(Exception e) {
    String message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
