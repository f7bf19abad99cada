package dev.promptcanary.api.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.NotNull;
import java.util.concurrent.TimeUnit;

/** How this node keeps its in-memory routing table fresh. */
public class RoutingFactory {
  /** The safety net behind LISTEN/NOTIFY: a full reload this often, whatever notifications said. */
  @NotNull
  @MinDuration(value = 1, unit = TimeUnit.SECONDS)
  private Duration fullReloadInterval = Duration.seconds(10);

  @JsonProperty
  public Duration getFullReloadInterval() {
    return fullReloadInterval;
  }

  @JsonProperty
  public void setFullReloadInterval(Duration fullReloadInterval) {
    this.fullReloadInterval = fullReloadInterval;
  }
}
