package dev.promptcanary.worker;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A block of the configuration (of the API or the worker) that {@code enabled} switches on or off;
 * each block says which way it starts.
 */
public abstract class Switchable {
  private boolean enabled;

  protected Switchable(boolean enabledByDefault) {
    this.enabled = enabledByDefault;
  }

  @JsonProperty
  public boolean isEnabled() {
    return enabled;
  }

  @JsonProperty
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }
}
