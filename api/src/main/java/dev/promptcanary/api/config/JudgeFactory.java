package dev.promptcanary.api.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.promptcanary.activities.ingest.Judgement;
import dev.promptcanary.activities.model.JudgePool;
import dev.promptcanary.activities.model.LlmJudge;
import dev.promptcanary.activities.model.ModelEndpoint;
import dev.promptcanary.activities.model.OpenAiChatModel;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;

/**
 * Live judging of reported transcripts ({@code POST /v1/transcripts}): the judge endpoint (any OpenAI-compatible
 * server), its model and rubric (pinned for the process's life: the judge name stored with every score is {@code
 * model/rubricVersion}), and the pool's queue and workers. Off unless {@code enabled}; {@code dev} turns it on
 * against its model simulator.
 */
public class JudgeFactory {
  public static final String DEFAULT_RUBRIC =
      "The response answers the user's input correctly, completely and politely, without inventing facts.";

  private boolean enabled = false;
  @NotBlank private String baseUrl = "http://localhost:8000/v1";
  @NotBlank private String model = "gpt-4o-mini";
  /** Name of the environment variable holding the API key; empty for none. Never the key itself. */
  private String apiKeyEnv = "";
  @NotBlank private String rubric = DEFAULT_RUBRIC;
  private boolean jsonMode = true;

  @Min(1)
  @Max(1_000_000)
  private int queueSize = 1000;

  @Min(1)
  @Max(256)
  private int workers = 2;

  @NotNull private Duration timeout = Duration.seconds(30);

  @Min(0)
  @Max(10)
  private int maxRetries = 2;

  /** The pool this configuration describes; the caller closes it. */
  public JudgePool build(Consumer<List<Judgement>> sink, Clock clock) {
    return new JudgePool(buildJudge(), model, rubric, queueSize, workers, sink, clock);
  }

  /** The judge this configuration describes (also what eval suites' judge assertions use, when enabled). */
  public LlmJudge buildJudge() {
    ModelEndpoint endpoint = ModelEndpoint.of(URI.create(baseUrl), apiKeyEnv, model)
        .withTimeout(timeout.toJavaDuration())
        .withRetries(maxRetries, java.time.Duration.ofMillis(500), java.time.Duration.ofSeconds(10))
        .withMaxConcurrency(workers);
    return new LlmJudge(new OpenAiChatModel(endpoint), model, jsonMode);
  }

  @JsonProperty
  public boolean isEnabled() {
    return enabled;
  }

  @JsonProperty
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  @JsonProperty
  public String getBaseUrl() {
    return baseUrl;
  }

  @JsonProperty
  public void setBaseUrl(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  @JsonProperty
  public String getModel() {
    return model;
  }

  @JsonProperty
  public void setModel(String model) {
    this.model = model;
  }

  @JsonProperty
  public String getApiKeyEnv() {
    return apiKeyEnv;
  }

  @JsonProperty
  public void setApiKeyEnv(String apiKeyEnv) {
    this.apiKeyEnv = apiKeyEnv;
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

  @JsonProperty
  public Duration getTimeout() {
    return timeout;
  }

  @JsonProperty
  public void setTimeout(Duration timeout) {
    this.timeout = timeout;
  }

  @JsonProperty
  public int getMaxRetries() {
    return maxRetries;
  }

  @JsonProperty
  public void setMaxRetries(int maxRetries) {
    this.maxRetries = maxRetries;
  }
}
