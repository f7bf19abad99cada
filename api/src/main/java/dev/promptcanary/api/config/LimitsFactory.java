package dev.promptcanary.api.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/**
 * What one request may ask of the API: its body size, and how many ingest and control requests a
 * client may send per period.
 */
public class LimitsFactory {
  public static final long DEFAULT_MAX_REQUEST_BYTES = 4L * 1024 * 1024;

  @Min(1024)
  @Max(256L * 1024 * 1024)
  private long maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;

  /** {@code POST /v1/observations}, {@code judgements}, {@code metrics}, {@code transcripts}. */
  @Valid @NotNull private RateLimitFactory ingest = new RateLimitFactory(1000, Duration.seconds(1));

  /** {@code POST /v1/rollouts}, the rollout controls and {@code PUT /v1/prompts/{name}/routing}. */
  @Valid @NotNull private RateLimitFactory controls = new RateLimitFactory(10, Duration.seconds(1));

  @JsonProperty
  public long getMaxRequestBytes() {
    return maxRequestBytes;
  }

  @JsonProperty
  public void setMaxRequestBytes(long maxRequestBytes) {
    this.maxRequestBytes = maxRequestBytes;
  }

  @JsonProperty
  public RateLimitFactory getIngest() {
    return ingest;
  }

  @JsonProperty
  public void setIngest(RateLimitFactory ingest) {
    this.ingest = ingest;
  }

  @JsonProperty
  public RateLimitFactory getControls() {
    return controls;
  }

  @JsonProperty
  public void setControls(RateLimitFactory controls) {
    this.controls = controls;
  }
}
