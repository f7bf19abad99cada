package dev.promptcanary.api.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.promptcanary.activities.model.ChatModel;
import dev.promptcanary.activities.model.OpenAiChatModel;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * The OpenAI-compatible endpoint the worker's offline evals call with each prompt version (the
 * version names its own model; {@code model} is the fallback). Off unless {@code enabled}: without
 * it, a rollout that names an eval suite is blocked with a clear reason. {@code dev} points it at
 * its model simulator.
 */
public class ModelFactory extends EndpointFactory {
  @Min(1)
  @Max(256)
  private int maxConcurrency = 4;

  public ModelFactory() {
    super(Duration.seconds(60), 3);
  }

  public ChatModel build() {
    return new OpenAiChatModel(endpoint(maxConcurrency, java.time.Duration.ofSeconds(20)));
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
