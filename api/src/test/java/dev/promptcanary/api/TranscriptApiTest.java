package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.promptcanary.activities.model.JudgePool;
import dev.promptcanary.activities.store.TestDatabases;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import dev.promptcanary.api.TestApps.Http;
import dev.promptcanary.api.TestApps.Http.Reply;
import dev.promptcanary.testkit.ModelSimulator;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.time.Duration;
import java.util.List;
import java.util.StringJoiner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Live judging through the API: transcripts in, the simulator's judge over loopback, judgements in
 * PostgreSQL.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class TranscriptApiTest {
  static final ModelSimulator SIM = ModelSimulator.start(0);
  static final TestDatabase DB = TestDatabases.fresh();
  static final DropwizardAppExtension<PromptCanaryConfiguration> APP =
      new DropwizardAppExtension<>(PromptCanaryApplication.class, judged(TestApps.config(DB)));
  static final String JUDGE = JudgePool.judgeName("sim-judge", "Be helpful.");
  final Http http = new Http(APP);

  private static PromptCanaryConfiguration judged(PromptCanaryConfiguration config) {
    config.getJudge().setEnabled(true);
    config.getJudge().setBaseUrl(SIM.baseUrl().toString());
    config.getJudge().setModel(ModelSimulator.JUDGE_MODEL);
    config.getJudge().setRubric("Be helpful.");
    config.getIngest().setMaxBatchSize(5);
    return config;
  }

  @BeforeAll
  static void prompts() {
    new Http(APP).post("/v1/prompts/chat/versions", TestApps.version(1));
  }

  @AfterAll
  static void stopSimulator() {
    SIM.close();
  }

  private static String transcript(String id, int version, String quality) {
    return "{\"requestId\":\"%s\",\"prompt\":\"chat\",\"version\":%d,\"unit\":\"u-1\",\"input\":\"Where is my order?\",\"output\":\"It ships today. [sim-quality=%s]\"}"
        .formatted(id, version, quality);
  }

  private static String batch(String... items) {
    StringJoiner joiner = new StringJoiner(",", "{\"transcripts\":[", "]}");
    for (String item : items) {
      joiner.add(item);
    }
    return joiner.toString();
  }

  private List<Double> scores(String like) {
    return DB.jdbi()
        .withHandle(
            h ->
                h.select(
                        "SELECT score FROM judgements WHERE request_id LIKE ? AND judge = ? ORDER BY request_id",
                        like,
                        JUDGE)
                    .mapTo(Double.class)
                    .list());
  }

  /** Polls until {@code n} judgements are stored; fails only if they never come (30 s). */
  private List<Double> awaitScores(String like, int n) {
    return await(n + " judgements for " + like)
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> scores(like), scores -> scores.size() >= n);
  }

  @Test
  void transcriptsAreQueuedThenJudgedIntoJudgements() throws Exception {
    Reply reply =
        http.post(
            "/v1/transcripts", batch(transcript("t-1", 1, "0.90"), transcript("t-2", 1, "0.30")));

    assertThat(reply.status()).isEqualTo(202);
    assertThat(reply.body().get("queued").asInt()).isEqualTo(2);
    assertThat(reply.body().get("dropped").asInt()).isZero();
    assertThat(reply.body().get("judge").asText()).isEqualTo(JUDGE);
    List<Double> scores = awaitScores("t-%", 2);
    assertThat(scores.get(0)).isBetween(0.85, 0.95);
    assertThat(scores.get(1)).isBetween(0.25, 0.35);
  }

  @Test
  void aBadBatchIsRefusedWholeAndNamesTheItem() {
    Reply unknown =
        http.post(
            "/v1/transcripts", batch(transcript("b-1", 1, "0.5"), transcript("b-2", 7, "0.5")));
    assertThat(unknown.status()).isEqualTo(422);
    assertThat(unknown.body().get("field").asText()).isEqualTo("transcripts[1].version");

    Reply duplicate =
        http.post(
            "/v1/transcripts", batch(transcript("b-3", 1, "0.5"), transcript("b-3", 1, "0.5")));
    assertThat(duplicate.status()).isEqualTo(422);
    assertThat(duplicate.body().get("field").asText()).isEqualTo("transcripts[1].requestId");

    Reply missingOutput =
        http.post(
            "/v1/transcripts",
            "{\"transcripts\":[{\"requestId\":\"b-4\",\"prompt\":\"chat\",\"version\":1,\"input\":\"hi\"}]}");
    assertThat(missingOutput.status()).isEqualTo(422);
    assertThat(missingOutput.body().get("field").asText()).isEqualTo("transcripts[0].output");

    Reply tooMany =
        http.post(
            "/v1/transcripts",
            batch(
                transcript("c-1", 1, "0.5"),
                transcript("c-2", 1, "0.5"),
                transcript("c-3", 1, "0.5"),
                transcript("c-4", 1, "0.5"),
                transcript("c-5", 1, "0.5"),
                transcript("c-6", 1, "0.5")));
    assertThat(tooMany.status()).isEqualTo(413);

    assertThat(scores("b-%")).isEmpty();
    assertThat(scores("c-%")).isEmpty();
  }

  @Test
  void judgeHealthAndGaugesAreRegistered() {
    assertThat(APP.getEnvironment().healthChecks().getNames()).contains("judge");
    assertThat(APP.getEnvironment().metrics().getGauges().keySet())
        .contains(
            "promptcanary.judge.dropped",
            "promptcanary.judge.failures",
            "promptcanary.judge.queued");
  }
}
