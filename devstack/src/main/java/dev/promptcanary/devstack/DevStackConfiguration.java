package dev.promptcanary.devstack;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.promptcanary.api.PromptCanaryConfiguration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

/**
 * The production configuration plus the {@code embedded} block that only {@code dev} and {@code
 * demo} read, so the production configuration carries nothing of the dev stack.
 */
public class DevStackConfiguration extends PromptCanaryConfiguration {
  @Valid @NotNull private EmbeddedFactory embedded = new EmbeddedFactory();

  /**
   * The configuration a dev-stack command was handed: {@link DevStackApplication} parses every file
   * into this class, so the cast only fails when a command is registered on another application.
   */
  static DevStackConfiguration of(PromptCanaryConfiguration config) {
    if (config instanceof DevStackConfiguration dev) {
      return dev;
    }
    throw new IllegalStateException(
        "dev and demo run on DevStackApplication's configuration, got "
            + config.getClass().getName());
  }

  @JsonProperty
  public EmbeddedFactory getEmbedded() {
    return embedded;
  }

  @JsonProperty
  public void setEmbedded(EmbeddedFactory embedded) {
    this.embedded = embedded;
  }
}
