package dev.promptcanary.activities.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptcanary.activities.store.Fixtures;
import dev.promptcanary.activities.store.OutcomeDao;
import dev.promptcanary.activities.store.PromptDao;
import dev.promptcanary.activities.store.TestDatabases;
import dev.promptcanary.testkit.ModelSimulator;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Live judging: simulator judge over loopback, judgements into real PostgreSQL. */
class JudgePoolTest {
  private static final String RUBRIC = "Polite and answers the question.";
  private ModelSimulator sim;
  private LlmJudge judge;
  private Jdbi jdbi;
  private OutcomeDao outcomes;

  @BeforeEach
  void start() {
    sim = ModelSimulator.start(0);
    judge =
        new LlmJudge(
            new OpenAiChatModel(
                ModelEndpoint.of(sim.baseUrl(), null, ModelSimulator.JUDGE_MODEL)
                    .withRetries(0, Duration.ofMillis(1), Duration.ofMillis(1))),
            ModelSimulator.JUDGE_MODEL,
            true);
    jdbi = TestDatabases.fresh().jdbi();
    jdbi.onDemand(PromptDao.class).createVersion("live", Fixtures.content(1), "ana");
    outcomes = jdbi.onDemand(OutcomeDao.class);
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private static Transcript transcript(int i, String quality) {
    return new Transcript(
        "req-" + i, "live", 1, "u-" + i, "question " + i, "answer [sim-quality=" + quality + "]");
  }

  @Test
  void scoresTranscriptsAndStoresJudgementsUnderTheJudgeName() throws Exception {
    try (JudgePool pool =
        new JudgePool(
            judge,
            "sim-judge",
            RUBRIC,
            100,
            2,
            JudgePool.Sink.of(outcomes::insertJudgements, outcomes::insertJudgeFailure),
            Clock.systemUTC())) {
      for (int i = 0; i < 10; i++) {
        assertThat(pool.submit(transcript(i, "0.80"))).isTrue();
      }
      assertThat(pool.awaitIdle(30, TimeUnit.SECONDS)).isTrue();

      assertThat(pool.stats()).isEqualTo(new JudgePool.Stats(10, 0, 10, 0, 0, 0));
      List<Double> scores =
          jdbi.withHandle(
              h ->
                  h.select(
                          "SELECT score FROM judgements WHERE prompt = 'live' AND judge = ?",
                          pool.judgeName())
                      .mapTo(Double.class)
                      .list());
      assertThat(scores).hasSize(10).allSatisfy(s -> assertThat(s).isBetween(0.75, 0.85));
      assertThat(pool.judgeName()).isEqualTo("sim-judge/" + LlmJudge.rubricVersion(RUBRIC));
    }
  }

  @Test
  void garbageFromTheJudgeIsCountedAndNothingIsStored() throws Exception {
    sim.judgeGarbage(true);
    try (JudgePool pool =
        new JudgePool(
            judge,
            "sim-judge",
            RUBRIC,
            100,
            1,
            JudgePool.Sink.of(outcomes::insertJudgements, outcomes::insertJudgeFailure),
            Clock.systemUTC())) {
      pool.submit(transcript(1, "0.9"));
      pool.submit(transcript(2, "0.9"));
      assertThat(pool.awaitIdle(30, TimeUnit.SECONDS)).isTrue();

      assertThat(pool.stats().judgeFailures()).isEqualTo(2);
      assertThat(pool.stats().judged()).isZero();
      long stored =
          jdbi.withHandle(h -> h.select("SELECT count(*) FROM judgements").mapTo(Long.class).one());
      assertThat(stored).isZero();
      List<String> failures =
          jdbi.withHandle(
              h ->
                  h.select(
                          "SELECT request_id || ' ' || judge || ' ' || reason FROM judge_failures ORDER BY request_id")
                      .mapTo(String.class)
                      .list());
      assertThat(failures).hasSize(2);
      assertThat(failures.get(0))
          .startsWith("req-1 " + pool.judgeName() + " ")
          .contains("answered no score");
      assertThat(failures.get(1)).startsWith("req-2 " + pool.judgeName() + " ");
    }
  }

  @Test
  void aFullQueueDropsAndCountsWithoutBlocking() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Judge blocked =
        request -> {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return new JudgeScore(0.5, "ok", "m", "r");
        };
    try (JudgePool pool =
        new JudgePool(
            blocked,
            "m",
            RUBRIC,
            2,
            1,
            JudgePool.Sink.of(outcomes::insertJudgements, outcomes::insertJudgeFailure),
            Clock.systemUTC())) {
      int accepted = 0;
      for (int i = 0; i < 10; i++) {
        if (pool.submit(transcript(i, "0.5"))) {
          accepted++;
        }
      }
      // One on the worker, two in the queue; the other seven dropped at once.
      assertThat(accepted).isEqualTo(3);
      assertThat(pool.stats().dropped()).isEqualTo(7);
      release.countDown();
      assertThat(pool.awaitIdle(30, TimeUnit.SECONDS)).isTrue();
      assertThat(pool.stats().judged()).isEqualTo(3);
    }
  }
}
