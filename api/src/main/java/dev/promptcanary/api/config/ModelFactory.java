package dev.promptcanary.api.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.promptcanary.activities.model.ChatModel;
import dev.promptcanary.activities.model.ModelEndpoint;
import dev.promptcanary.activities.model.OpenAiChatModel;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;

/**
 * The OpenAI-compatible endpoint the worker's offline evals call with each prompt version (the version names its
 * own model; {@code model} is the fallback). Off unless {@code enabled}: without it, a rollout that names an eval
 * suite is blocked with a clear reason. {@code dev} points it at its model simulator.
 */
public class ModelFactory {
  private boolean enabled = false;
  @NotBlank private String baseUrl = "http://localhost:8000/v1";
  @NotBlank private String model = "gpt-4o-mini";
  /** Name of the environment variable holding the API key; empty for none. Never the key itself. */
  private String apiKeyEnv = "";
  @NotNull private Duration timeout = Duration.seconds(60);

  @Min(0)
  @Max(10)
  private int maxRetries = 3;

  @Min(1)
  @Max(256)
  private int maxConcurrency = 4;

  public ChatModel build() {
    return new OpenAiChatModel(
        ModelEndpoint.of(URI.create(baseUrl), apiKeyEnv, model)
            .withTimeout(timeout.toJavaDuration())
            .withRetries(maxRetries, java.time.Duration.ofMillis(500), java.time.Duration.ofSeconds(20))
            .withMaxConcurrency(maxConcurrency));
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

  @JsonProperty
  public int getMaxConcurrency() {
    return maxConcurrency;
  }

  @JsonProperty
  public void setMaxConcurrency(int maxConcurrency) {
    this.maxConcurrency = maxConcurrency;
  }
}
