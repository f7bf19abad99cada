package dev.promptcanary.api.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.promptcanary.worker.Switchable;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/**
 * One per-client rate limit: at most {@code requests} requests in each {@code period}, counted per
 * API key (the {@code Authorization} header's credential) or, without one, per remote address.
 */
public class RateLimitFactory extends Switchable {

  @Min(1)
  @Max(1_000_000)
  private int requests;

  @NotNull private Duration period = Duration.seconds(1);

  public RateLimitFactory() {
    super(true);
  }

  public RateLimitFactory(int requests, Duration period) {
    super(true);
    this.requests = requests;
    this.period = period;
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
