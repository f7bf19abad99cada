package dev.promptcanary.activities.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.promptcanary.testkit.ModelSimulator;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The judge against the simulator's judge mode over real loopback HTTP. */
class LlmJudgeTest {
  private static final String RUBRIC =
      "The answer is polite and tells the customer where the order is.";
  private ModelSimulator sim;
  private LlmJudge judge;

  @BeforeEach
  void start() {
    sim = ModelSimulator.start(0, 0.05);
    ModelEndpoint endpoint =
        ModelEndpoint.of(sim.baseUrl(), null, ModelSimulator.JUDGE_MODEL)
            .withTimeout(Duration.ofSeconds(10))
            .withRetries(1, Duration.ofMillis(10), Duration.ofMillis(10));
    judge = new LlmJudge(new OpenAiChatModel(endpoint), ModelSimulator.JUDGE_MODEL, true);
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  @Test
  void scoresTheHiddenQualityWithinTheNoiseAndRecordsModelAndRubricVersion() throws Exception {
    JudgeScore score =
        judge.score(
            new JudgeRequest(RUBRIC, "Where is my order?", "It ships today. [sim-quality=0.70]"));

    assertThat(score.score()).isBetween(0.65, 0.75);
    assertThat(score.reason()).contains("hidden quality 0.70");
    assertThat(score.judgeModel()).isEqualTo("sim-judge");
    assertThat(score.rubricVersion()).isEqualTo(LlmJudge.rubricVersion(RUBRIC)).startsWith("j1-");
    assertThat(sim.lastRequest().path("response_format").path("type").asText())
        .isEqualTo("json_object");
    assertThat(judge.stats()).isEqualTo(new LlmJudge.Stats(1, 0, 0));
  }

  @Test
  void sameInputGivesTheSameScoreAndOtherInputsSpreadWithinTheNoise() throws Exception {
    JudgeRequest request =
        new JudgeRequest(RUBRIC, "Where is my order?", "It ships today. [sim-quality=0.40]");

    JudgeScore first = judge.score(request);
    JudgeScore second = judge.score(request);

    assertThat(second).isEqualTo(first);
    java.util.Set<Double> scores = new java.util.HashSet<>();
    for (int i = 0; i < 20; i++) {
      double s =
          judge
              .score(new JudgeRequest(RUBRIC, "question " + i, "answer [sim-quality=0.40]"))
              .score();
      assertThat(s).isBetween(0.35, 0.45);
      scores.add(s);
    }
    assertThat(scores).hasSizeGreaterThan(1);
  }

  @Test
  void garbageAnswerIsACountedJudgeFailureNotAZero() {
    sim.judgeGarbage(true);

    JudgeException e =
        catchThrowableOfType(
            () -> judge.score(new JudgeRequest(RUBRIC, "in", "out [sim-quality=0.9]")),
            JudgeException.class);

    assertThat(e.getMessage()).contains("answered no score").contains("quite good overall");
    assertThat(judge.stats()).isEqualTo(new LlmJudge.Stats(0, 1, 0));
  }

  @Test
  void failedCallIsACountedJudgeFailure() {
    sim.failNext(5, 500, null);

    JudgeException e =
        catchThrowableOfType(
            () -> judge.score(new JudgeRequest(RUBRIC, "in", "out")), JudgeException.class);

    assertThat(e.getCause()).isInstanceOf(ModelException.class);
    assertThat(judge.stats().callFailures()).isEqualTo(1);
    assertThat(judge.stats().failures()).isEqualTo(1);
  }

  @Test
  void rubricVersionChangesWithTheRubric() {
    assertThat(LlmJudge.rubricVersion("a")).isNotEqualTo(LlmJudge.rubricVersion("b"));
    assertThat(LlmJudge.rubricVersion("a")).isEqualTo(LlmJudge.rubricVersion("a"));
  }

  @Test
  void parsesTolerantly() {
    assertThat(LlmJudge.parse("{\"score\": 7, \"reason\": \"ok\"}"))
        .isEqualTo(new LlmJudge.Parsed(7, null, "ok"));
    assertThat(
            LlmJudge.parse(
                    "Sure! ```json\n{\"reason\": \"a {brace}\", \"score\": 8.5}\n``` hope that helps")
                .score())
        .isEqualTo(8.5);
    assertThat(LlmJudge.parse("{\"note\": 1} then {\"score\": 3}").score()).isEqualTo(3);
    assertThat(LlmJudge.parse("Score: 7/10 because it is fine"))
        .extracting(LlmJudge.Parsed::score, LlmJudge.Parsed::outOf)
        .containsExactly(7.0, 10.0);
    assertThat(LlmJudge.parse("{\"score\": \"6/10\"}").outOf()).isEqualTo(10.0);
    assertThat(LlmJudge.parse("I liked it, 9 of 10 people would")).isNull();
    assertThat(LlmJudge.parse("{\"score\": null}")).isNull();
    assertThat(LlmJudge.parse("")).isNull();
  }

  @Test
  void scoreOutsideTheScaleIsAFailure() {
    ChatModel tooHigh = request -> new ChatResponse("{\"score\": 42}", "m", 1, 1, 0, 1);
    LlmJudge strict = new LlmJudge(tooHigh, "m", false);

    JudgeException e =
        catchThrowableOfType(
            () -> strict.score(new JudgeRequest(RUBRIC, "in", "out")), JudgeException.class);

    assertThat(e.getMessage()).contains("outside 0..10");
    assertThat(strict.stats().unparseable()).isEqualTo(1);
  }

  @Test
  void fractionScaleIsRescaled() throws Exception {
    ChatModel outOfOne = request -> new ChatResponse("score: 0.8/1", "m", 1, 1, 0, 1);

    assertThat(
            new LlmJudge(outOfOne, "m", false).score(new JudgeRequest(RUBRIC, "in", "out")).score())
        .isEqualTo(0.8);
  }
}
