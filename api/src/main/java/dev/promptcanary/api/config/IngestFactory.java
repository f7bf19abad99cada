package dev.promptcanary.api.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/** Limits of the observation and judgement endpoints. */
public class IngestFactory {
  public static final int DEFAULT_MAX_BATCH_SIZE = 1000;

  @Min(1)
  @Max(10_000)
  private int maxBatchSize = DEFAULT_MAX_BATCH_SIZE;

  @JsonProperty
  public int getMaxBatchSize() {
    return maxBatchSize;
  }

  @JsonProperty
  public void setMaxBatchSize(int maxBatchSize) {
    this.maxBatchSize = maxBatchSize;
  }
}
