package dev.promptcanary.workflows.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.domain.Verdict;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.common.converter.EncodingKeys;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Histories recorded before the stable arm was renamed (from baseline…) carry the old field names
 * in activity results and query answers; Temporal's data converter must still read them into the
 * new ones. (This file is skipped by scripts/dev/rename-arms.py: it must keep the old names.)
 */
class ArmNamesOldShapeTest {
  private static final DataConverter CONVERTER = DefaultDataConverter.newDefaultInstance();

  private static final String OLD_VERDICT =
      """
      {"gate":"QUALITY","decision":"INCONCLUSIVE","canaryN":3,"baselineN":4,"estimate":0.01,\
      "lower":-0.2,"upper":0.3,"threshold":-0.05,"reason":"too few"}""";

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
  void anOldAnalysisReportReadsItsBaselineCountsAsTheStableArms() {
    AnalysisReport report =
        decode(
            "{\"overall\":"
                + OLD_VERDICT
                + ",\"gates\":["
                + OLD_VERDICT
                + "],\"canaryJudgements\":11,\"baselineJudgements\":12,"
                + "\"canaryObservations\":21,\"baselineObservations\":22}",
            AnalysisReport.class);

    assertThat(report.overall().stableN()).isEqualTo(4);
    assertThat(report.gates()).extracting(Verdict::stableN).containsExactly(4L);
    assertThat(report.stableJudgements()).isEqualTo(12);
    assertThat(report.stableObservations()).isEqualTo(22);
    assertThat(report.canaryJudgements()).isEqualTo(11);
  }

  @Test
  void anOldProgressAnswerReadsItsBaselineCountsAsTheStableArms() {
    RolloutProgress progress =
        decode(
            "{\"rolloutId\":\"r\",\"prompt\":\"p\",\"candidateVersion\":2,\"baselineVersion\":1,"
                + "\"state\":\"CANARY\",\"stage\":1,\"stageCount\":2,\"canaryWeightBp\":500,"
                + "\"canaryJudgements\":5,\"baselineJudgements\":6,\"canaryObservations\":7,"
                + "\"baselineObservations\":8,\"lastVerdicts\":["
                + OLD_VERDICT
                + "],\"timeline\":[]}",
            RolloutProgress.class);

    assertThat(progress.stableJudgements()).isEqualTo(6);
    assertThat(progress.stableObservations()).isEqualTo(8);
    assertThat(progress.baselineVersion()).isEqualTo(1);
    assertThat(progress.lastVerdicts()).extracting(Verdict::stableN).containsExactly(4L);
  }

  @Test
  void newRecordsAreWrittenWithTheStableNamesOnly() {
    Verdict verdict =
        new Verdict(
            GateKind.QUALITY, Decision.INCONCLUSIVE, 3, 4, 0, -1, 1, -0.05, "too few", null, false);
    String json = encode(new AnalysisReport(verdict, List.of(verdict), 11, 12, 21, 22));

    assertThat(json)
        .contains("\"stableN\":4", "\"stableJudgements\":12", "\"stableObservations\":22")
        .doesNotContain("baselineN", "baselineJudgements", "baselineObservations");
  }
}
