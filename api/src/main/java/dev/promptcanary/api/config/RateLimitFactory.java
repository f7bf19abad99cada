package dev.promptcanary.api.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/**
 * One per-client rate limit: at most {@code requests} requests in each {@code period}, counted per
 * API key (the {@code Authorization} header's credential) or, without one, per remote address.
 */
public class RateLimitFactory {
  private boolean enabled = true;

  @Min(1)
  @Max(1_000_000)
  private int requests;

  @NotNull private Duration period = Duration.seconds(1);

  public RateLimitFactory() {}

  public RateLimitFactory(int requests, Duration period) {
    this.requests = requests;
    this.period = period;
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
  public int getRequests() {
    return requests;
  }

  @JsonProperty
  public void setRequests(int requests) {
    this.requests = requests;
  }

  @JsonProperty
  public Duration getPeriod() {
    return period;
  }

  @JsonProperty
  public void setPeriod(Duration period) {
    this.period = period;
  }
}
