package dev.promptcanary.api.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.promptcanary.activities.model.JudgePool;
import dev.promptcanary.activities.model.LlmJudge;
import dev.promptcanary.activities.model.OpenAiChatModel;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.time.Clock;

/**
 * Live judging of reported transcripts ({@code POST /v1/transcripts}): the judge endpoint (any
 * OpenAI-compatible server), its model and rubric (pinned for the process's life: the judge name
 * stored with every score is {@code model/rubricVersion}), and the pool's queue and workers. Off
 * unless {@code enabled}; {@code dev} turns it on against its model simulator.
 */
public class JudgeFactory extends EndpointFactory {
  public static final String DEFAULT_RUBRIC =
      "The response answers the user's input correctly, completely and politely, without inventing facts.";

  @NotBlank private String rubric = DEFAULT_RUBRIC;
  private boolean jsonMode = true;

  @Min(1)
  @Max(1_000_000)
  private int queueSize = 1000;

  @Min(1)
  @Max(256)
  private int workers = 2;

  public JudgeFactory() {
    super(Duration.seconds(30), 2);
  }

  /** The pool this configuration describes; the caller closes it. */
  public JudgePool build(JudgePool.Sink sink, Clock clock) {
    return new JudgePool(buildJudge(), getModel(), rubric, queueSize, workers, sink, clock);
  }

  /** The name live judging stores with every score: {@code model/rubricVersion}. */
  public String judgeName() {
    return JudgePool.judgeName(getModel(), rubric);
  }

  /**
   * The judge this configuration describes (also what eval suites' judge assertions use, when
   * enabled).
   */
  public LlmJudge buildJudge() {
    return new LlmJudge(
        new OpenAiChatModel(endpoint(workers, java.time.Duration.ofSeconds(10))),
        getModel(),
        jsonMode);
  }

  @JsonProperty
  public String getRubric() {
    return rubric;
  }

  @JsonProperty
  public void setRubric(String rubric) {
    this.rubric = rubric;
  }

  @JsonProperty
  public boolean isJsonMode() {
    return jsonMode;
  }

  @JsonProperty
  public void setJsonMode(boolean jsonMode) {
    this.jsonMode = jsonMode;
  }

  @JsonProperty
  public int getQueueSize() {
    return queueSize;
  }

  @JsonProperty
  public void setQueueSize(int queueSize) {
    this.queueSize = queueSize;
  }

  @JsonProperty
  public int getWorkers() {
    return workers;
  }

  @JsonProperty
  public void setWorkers(int workers) {
    this.workers = workers;
  }
}
