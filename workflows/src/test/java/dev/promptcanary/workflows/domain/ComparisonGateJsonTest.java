package dev.promptcanary.workflows.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.common.converter.EncodingKeys;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The cost and feedback gates travel in every rollout's spec, so in workflow histories: their JSON
 * under Temporal's data converter is pinned here, and so is how a gate recorded before {@code
 * mode}, {@code minimumPower} and {@code dryRun} existed reads.
 */
class ComparisonGateJsonTest {
  private static final DataConverter CONVERTER = DefaultDataConverter.newDefaultInstance();

  private static <T> T decode(String json, Class<T> type) {
    Payload payload =
        Payload.newBuilder()
            .putMetadata(
                EncodingKeys.METADATA_ENCODING_KEY,
                ByteString.copyFrom("json/plain", StandardCharsets.UTF_8))
            .setData(ByteString.copyFrom(json, StandardCharsets.UTF_8))
            .build();
    return CONVERTER.fromPayload(payload, type, type);
  }

  private static String encode(Object value) {
    return CONVERTER.toPayload(value).orElseThrow().getData().toStringUtf8();
  }

  @Test
  void theCostGateKeepsItsFlatJson() {
    assertThat(encode(CostGate.defaults()))
        .isEqualTo(
            "{\"enabled\":true,\"alphaShare\":0.02,\"margin\":0.1,\"minimumEffect\":0.1,"
                + "\"tau\":0.0,\"mode\":\"HARM_DETECTION\",\"minimumPower\":0.0,"
                + "\"dryRun\":false}");
  }

  @Test
  void theFeedbackGateKeepsItsFlatJson() {
    assertThat(encode(FeedbackGate.off()))
        .isEqualTo(
            "{\"enabled\":false,\"alphaShare\":0.025,\"margin\":0.1,\"minimumEffect\":0.0,"
                + "\"tau\":0.0,\"mode\":\"HARM_DETECTION\",\"minimumPower\":0.0,"
                + "\"dryRun\":false}");
  }

  @Test
  void aGateRecordedBeforeModesReadsWithEachKindsDefaultMode() {
    String old =
        "{\"enabled\":true,\"alphaShare\":0.02,\"margin\":0.1,\"minimumEffect\":0.1,"
            + "\"tau\":0.0}";

    CostGate cost = decode(old, CostGate.class);
    FeedbackGate feedback = decode(old, FeedbackGate.class);

    assertThat(cost.settings().mode()).isEqualTo(GateMode.NON_INFERIORITY);
    assertThat(feedback.settings().mode()).isEqualTo(GateMode.HARM_DETECTION);
    assertThat(cost.settings().margin()).isEqualTo(0.1);
    assertThat(feedback.settings().alphaShare()).isEqualTo(0.02);
    assertThat(cost.settings().dryRun()).isFalse();
    assertThat(encode(decode(encode(cost), CostGate.class))).isEqualTo(encode(cost));
  }

  @Test
  void eachKindChecksItsOwnRange() {
    String wide =
        "{\"enabled\":true,\"alphaShare\":0.02,\"margin\":5,\"minimumEffect\":0," + "\"tau\":0.0}";

    assertThat(decode(wide, CostGate.class).settings().margin()).isEqualTo(5);
    assertThatThrownBy(() -> decode(wide, FeedbackGate.class))
        .hasRootCauseInstanceOf(GateConfigException.class)
        .rootCause()
        .hasMessageContaining("margin");
  }

  /** The API names a rejected setting by Jackson's path to the gate plus the setting's name. */
  @Test
  void aRejectedSettingIsReportedAtItsGatesPath() throws Exception {
    ObjectMapper json = new ObjectMapper();
    ObjectNode gates = json.valueToTree(GatesConfig.defaults());
    ((ObjectNode) gates.get("feedback")).put("margin", 5);

    assertThatThrownBy(() -> json.treeToValue(gates, GatesConfig.class))
        .isInstanceOfSatisfying(
            JsonMappingException.class,
            e -> {
              assertThat(e.getPath())
                  .extracting(JsonMappingException.Reference::getFieldName)
                  .isEqualTo(List.of("feedback"));
              assertThat(e.getCause())
                  .isInstanceOfSatisfying(
                      GateConfigException.class,
                      invalid -> assertThat(invalid.field()).isEqualTo("margin"));
            });
  }
}
