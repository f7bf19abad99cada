package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptcanary.activities.store.TestDatabases;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import dev.promptcanary.api.TestApps.Http;
import dev.promptcanary.api.TestApps.Http.Reply;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(DropwizardExtensionsSupport.class)
class IngestApiTest {
  static final TestDatabase DB = TestDatabases.fresh();
  static final DropwizardAppExtension<PromptCanaryConfiguration> APP = TestApps.api(DB);
  final Http http = new Http(APP);

  @BeforeAll
  static void prompts() {
    Http http = new Http(APP);
    http.post("/v1/prompts/chat/versions", TestApps.version(1));
    http.post("/v1/prompts/chat/versions", TestApps.version(2));
    http.post("/v1/prompts/faq/versions", TestApps.version(1));
  }

  private static String observation(String id, int version, double latency) {
    return "{\"requestId\":\"%s\",\"prompt\":\"chat\",\"version\":%d,\"unit\":\"u\",\"latencyMs\":%s,\"inputTokens\":10,\"outputTokens\":20,\"cost\":0.001,\"error\":false,\"safetyFlag\":false}"
        .formatted(id, version, latency);
  }

  private static String batch(String key, String... items) {
    StringJoiner joiner = new StringJoiner(",", "{\"" + key + "\":[", "]}");
    for (String item : items) {
      joiner.add(item);
    }
    return joiner.toString();
  }

  private long stored(String like) {
    return DB.jdbi()
        .withHandle(
            h ->
                h.select("SELECT count(*) FROM observations WHERE request_id LIKE ?", like)
                    .mapTo(Long.class)
                    .one());
  }

  @Test
  void aRetriedBatchIsCountedOnce() {
    String body = batch("observations", observation("a-1", 1, 10), observation("a-2", 2, 20));
    Reply first = http.post("/v1/observations", body);
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.body().get("accepted").asInt()).isEqualTo(2);
    Reply retry = http.post("/v1/observations", body);
    assertThat(retry.body().get("accepted").asInt()).isZero();
    assertThat(retry.body().get("duplicates").asInt()).isEqualTo(2);
    assertThat(stored("a-%")).isEqualTo(2);
  }

  @Test
  void aBatchWithOneBadItemIsRefusedWholeAndNamesTheItem() {
    Reply unknownVersion =
        http.post(
            "/v1/observations",
            batch("observations", observation("b-1", 1, 10), observation("b-2", 9, 10)));
    assertThat(unknownVersion.status()).isEqualTo(422);
    assertThat(unknownVersion.body().get("field").asText()).isEqualTo("observations[1].version");

    Reply negativeLatency =
        http.post(
            "/v1/observations",
            batch("observations", observation("b-3", 1, 10), observation("b-4", 1, -5)));
    assertThat(negativeLatency.status()).isEqualTo(422);
    assertThat(negativeLatency.body().get("field").asText()).isEqualTo("observations[1].latencyMs");

    Reply duplicate =
        http.post(
            "/v1/observations",
            batch("observations", observation("b-5", 1, 10), observation("b-5", 1, 10)));
    assertThat(duplicate.status()).isEqualTo(422);
    assertThat(duplicate.body().get("field").asText()).isEqualTo("observations[1].requestId");

    Reply missingField =
        http.post(
            "/v1/observations",
            "{\"observations\":[{\"requestId\":\"b-6\",\"prompt\":\"chat\",\"latencyMs\":1}]}");
    assertThat(missingField.status()).isEqualTo(422);
    List<String> missing = new ArrayList<>();
    missingField.body().get("errors").forEach(e -> missing.add(e.get("field").asText()));
    // error and safetyFlag are required too, and every problem is listed at once.
    assertThat(missing)
        .containsExactly(
            "observations[0].error", "observations[0].safetyFlag", "observations[0].version");

    Reply wrongType =
        http.post(
            "/v1/observations",
            "{\"observations\":[{\"requestId\":\"b-7\",\"prompt\":\"chat\",\"version\":1,\"latencyMs\":\"fast\"}]}");
    assertThat(wrongType.status()).isEqualTo(400);
    assertThat(wrongType.body().get("field").asText()).isEqualTo("observations[0].latencyMs");

    Reply notJson = http.post("/v1/observations", "observations: none");
    assertThat(notJson.status()).isEqualTo(400);

    Reply empty = http.post("/v1/observations", "{\"observations\":[]}");
    assertThat(empty.status()).isEqualTo(422);
    assertThat(empty.body().get("field").asText()).isEqualTo("observations");

    assertThat(stored("b-%")).isZero();
  }

  @Test
  void anOversizeBatchIsRefused() {
    String[] items = new String[1001];
    for (int i = 0; i < items.length; i++) {
      items[i] = observation("c-" + i, 1, 1);
    }
    Reply reply = http.post("/v1/observations", batch("observations", items));
    assertThat(reply.status()).isEqualTo(413);
    assertThat(reply.body().get("field").asText()).isEqualTo("observations");
    assertThat(reply.body().get("message").asText()).contains("at most 1000");
    assertThat(stored("c-%")).isZero();
  }

  @Test
  void judgementsAreIdempotentPerRequestAndJudgeAndFeedTheMetrics() {
    http.post(
        "/v1/observations",
        batch("observations", observation("d-1", 2, 100), observation("d-2", 2, 300)));
    String judgements =
        batch(
            "judgements",
            "{\"requestId\":\"d-1\",\"prompt\":\"chat\",\"version\":2,\"judge\":\"j1\",\"score\":0.8}",
            "{\"requestId\":\"d-2\",\"prompt\":\"chat\",\"version\":2,\"judge\":\"j1\",\"score\":0.6}",
            "{\"requestId\":\"d-2\",\"prompt\":\"chat\",\"version\":2,\"judge\":\"j2\",\"score\":0.4}");
    assertThat(http.post("/v1/judgements", judgements).body().get("accepted").asInt()).isEqualTo(3);
    assertThat(http.post("/v1/judgements", judgements).body().get("duplicates").asInt())
        .isEqualTo(3);

    Reply outOfRange =
        http.post(
            "/v1/judgements",
            batch(
                "judgements",
                "{\"requestId\":\"d-3\",\"prompt\":\"chat\",\"version\":2,\"judge\":\"j1\",\"score\":7}"));
    assertThat(outOfRange.status()).isEqualTo(422);
    assertThat(outOfRange.body().get("field").asText()).isEqualTo("judgements[0].score");

    Reply metrics = http.get("/v1/prompts/chat/metrics?since=2000-01-01T00:00:00Z");
    assertThat(metrics.status()).isEqualTo(200);
    var v2 =
        metrics.body().get("versions").findParents("version").stream()
            .filter(n -> n.get("version").asInt() == 2)
            .findFirst()
            .orElseThrow();
    assertThat(v2.get("observations").asLong()).isGreaterThanOrEqualTo(2);
    assertThat(v2.get("judgements").asLong()).isEqualTo(3);
    assertThat(v2.get("meanScore").asDouble())
        .isCloseTo(0.6, org.assertj.core.data.Offset.offset(1e-9));

    Reply badSince = http.get("/v1/prompts/chat/metrics?since=yesterday");
    assertThat(badSince.status()).isEqualTo(422);
    assertThat(badSince.body().get("field").asText()).isEqualTo("since");
  }

  @Test
  void theSameRequestIdUnderTwoPromptsIsTwoRequests() {
    String chat = observation("g-1", 1, 10);
    String faq = chat.replace("\"prompt\":\"chat\"", "\"prompt\":\"faq\"");
    Reply both = http.post("/v1/observations", batch("observations", chat, faq));
    assertThat(both.status()).isEqualTo(200);
    assertThat(both.body().get("accepted").asInt()).isEqualTo(2);
    assertThat(stored("g-1")).isEqualTo(2);
    Reply again = http.post("/v1/observations", batch("observations", faq));
    assertThat(again.body().get("duplicates").asInt()).isEqualTo(1);

    String scores =
        batch(
            "judgements",
            "{\"requestId\":\"g-1\",\"prompt\":\"chat\",\"version\":1,\"judge\":\"j1\",\"score\":0.8}",
            "{\"requestId\":\"g-1\",\"prompt\":\"faq\",\"version\":1,\"judge\":\"j1\",\"score\":0.4,"
                + "\"unit\":\"u\",\"servedAt\":\"2026-01-01T00:00:00Z\"}");
    assertThat(http.post("/v1/judgements", scores).body().get("accepted").asInt()).isEqualTo(2);
  }

  @Test
  void aUnitWithAControlCharacterIsRefusedByName() {
    Reply reply =
        http.post(
            "/v1/observations",
            batch(
                "observations",
                observation("h-1", 1, 10)
                    .replace("\"unit\":\"u\"", "\"unit\":\"\\u001frequest:x\"")));
    assertThat(reply.status()).isEqualTo(422);
    assertThat(reply.body().get("field").asText()).isEqualTo("observations[0].unit");
    assertThat(reply.body().get("message").asText()).contains("control characters");
    Reply judgement =
        http.post(
            "/v1/judgements",
            batch(
                "judgements",
                "{\"requestId\":\"h-2\",\"prompt\":\"chat\",\"version\":1,\"judge\":\"j1\",\"score\":0.8,"
                    + "\"unit\":\"a\\tb\"}"));
    assertThat(judgement.status()).isEqualTo(422);
    assertThat(judgement.body().get("field").asText()).isEqualTo("judgements[0].unit");
    assertThat(stored("h-%")).isZero();
  }

  @Test
  void anObservationWithoutAUnitIsStoredAsItsOwnUnit() {
    Reply reply =
        http.post(
            "/v1/observations",
            batch(
                "observations",
                "{\"requestId\":\"k-1\",\"prompt\":\"chat\",\"version\":1,\"latencyMs\":5,"
                    + "\"error\":false,\"safetyFlag\":false}"));
    assertThat(reply.status()).isEqualTo(200);
    String unit =
        DB.jdbi()
            .withHandle(
                h ->
                    h.select("SELECT unit FROM observations WHERE request_id = 'k-1'")
                        .mapTo(String.class)
                        .one());
    assertThat(unit).isEqualTo(dev.promptcanary.activities.ingest.Units.ofRequest("k-1"));
  }

  private static String metric(String unit, String requestId, String name, String value) {
    return "{\"prompt\":\"chat\",\"version\":1,\"unit\":\"%s\",%s\"name\":\"%s\",\"value\":%s}"
        .formatted(
            unit, requestId == null ? "" : "\"requestId\":\"" + requestId + "\",", name, value);
  }

  private long storedMetrics(String unitLike) {
    return DB.jdbi()
        .withHandle(
            h ->
                h.select("SELECT count(*) FROM outcome_metrics WHERE unit LIKE ?", unitLike)
                    .mapTo(Long.class)
                    .one());
  }

  @Test
  void metricsPerRequestOrPerSessionAreStoredOnce() {
    String body =
        batch(
            "metrics",
            metric("m-s1", "m-r1", "resolved", "1"),
            metric("m-s1", null, "resolved", "0"),
            metric("m-s1", null, "csat", "4.5"),
            metric("m-s2", "m-r1", "resolved", "1"));
    Reply first = http.post("/v1/metrics", body);
    assertThat(first.status()).as(String.valueOf(first.body())).isEqualTo(200);
    assertThat(first.body().get("accepted").asInt()).isEqualTo(4);
    Reply retry = http.post("/v1/metrics", body);
    assertThat(retry.body().get("accepted").asInt()).isZero();
    assertThat(retry.body().get("duplicates").asInt()).isEqualTo(4);
    assertThat(storedMetrics("m-s%")).isEqualTo(4);
    String session =
        DB.jdbi()
            .withHandle(
                h ->
                    h.select(
                            "SELECT request_id || '=' || value FROM outcome_metrics"
                                + " WHERE unit = 'm-s1' AND name = 'csat'")
                        .mapTo(String.class)
                        .one());
    assertThat(session).isEqualTo("=4.5");
  }

  @Test
  void aBadMetricBatchIsRefusedWholeWithEveryProblemNamed() {
    Reply reply =
        http.post(
            "/v1/metrics",
            batch(
                "metrics",
                metric("n-s1", null, "resolved", "1"),
                metric("n-s1", null, "Resolved Rate", "1"),
                metric("n-s1", null, "resolved", "1"),
                metric("n-s2", null, "big", "1e999"),
                "{\"prompt\":\"chat\",\"version\":1,\"name\":\"resolved\",\"value\":1}",
                "{\"prompt\":\"chat\",\"version\":7,\"unit\":\"n-s3\",\"name\":\"resolved\",\"value\":1}",
                "{\"prompt\":\"chat\",\"version\":1,\"unit\":\"n-s4\",\"name\":\"resolved\"}"));
    assertThat(reply.status()).isEqualTo(422);
    List<String> fields = new ArrayList<>();
    reply.body().get("errors").forEach(e -> fields.add(e.get("field").asText()));
    assertThat(fields).contains("metrics[1].name", "metrics[4].unit", "metrics[6].value");
    assertThat(storedMetrics("n-s%")).isZero();

    // the checks after bean validation: duplicates, unknown versions, values that are not finite
    Reply second =
        http.post(
            "/v1/metrics",
            batch(
                "metrics",
                metric("n-s1", null, "resolved", "1"),
                metric("n-s1", null, "resolved", "1"),
                metric("n-s2", null, "big", "1e999"),
                "{\"prompt\":\"chat\",\"version\":7,\"unit\":\"n-s3\",\"name\":\"resolved\",\"value\":1}"));
    assertThat(second.status()).isEqualTo(422);
    List<String> more = new ArrayList<>();
    second.body().get("errors").forEach(e -> more.add(e.get("field").asText()));
    assertThat(more).containsExactly("metrics[1].name", "metrics[2].value", "metrics[3].version");
    assertThat(storedMetrics("n-s%")).isZero();
  }
}
