package dev.promptcanary.api.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.promptcanary.activities.model.ModelEndpoint;
import dev.promptcanary.worker.Switchable;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;

/**
 * An OpenAI-compatible endpoint in the configuration: where it is, which model, the key's variable,
 * patience.
 */
public abstract class EndpointFactory extends Switchable {
  @NotBlank private String baseUrl = "http://localhost:8000/v1";
  @NotBlank private String model = "gpt-4o-mini";

  /** Name of the environment variable holding the API key; empty for none. Never the key itself. */
  private String apiKeyEnv = "";

  @NotNull private Duration timeout;

  @Min(0)
  @Max(10)
  private int maxRetries;

  /** Off unless enabled. */
  protected EndpointFactory(Duration timeout, int maxRetries) {
    super(false);
    this.timeout = timeout;
    this.maxRetries = maxRetries;
  }

  protected ModelEndpoint endpoint(int maxConcurrency, java.time.Duration maxBackoff) {
    return ModelEndpoint.of(URI.create(baseUrl), apiKeyEnv, model)
        .withTimeout(timeout.toJavaDuration())
        .withRetries(maxRetries, java.time.Duration.ofMillis(500), maxBackoff)
        .withMaxConcurrency(maxConcurrency);
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
}
