package dev.promptcanary.api.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.promptcanary.worker.Switchable;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDuration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.concurrent.TimeUnit;

/** API keys: on unless switched off here, explicitly. */
public class AuthFactory extends Switchable {
  public static final String BOOTSTRAP_ENV = "PROMPTCANARY_BOOTSTRAP_ADMIN_KEY";

  /**
   * A secret stored as an admin key on a start that finds no live admin key (the first start); the
   * environment variable {@value #BOOTSTRAP_ENV} when this is empty.
   */
  private String bootstrapAdminKey = "";

  @NotNull
  @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._@-]{0,99}")
  private String bootstrapAdminName = "bootstrap-admin";

  /** How often each node reloads the live keys (a revocation reaches every node within this). */
  @NotNull
  @MinDuration(value = 50, unit = TimeUnit.MILLISECONDS)
  @MaxDuration(value = 1, unit = TimeUnit.SECONDS)
  private Duration reloadInterval = Duration.milliseconds(250);

  /**
   * Enabled unless switched off by an explicit setting: then every request may do everything, as
   * {@code anonymous}.
   */
  public AuthFactory() {
    super(true);
  }

  @JsonProperty
  public String getBootstrapAdminKey() {
    return bootstrapAdminKey;
  }

  @JsonProperty
  public void setBootstrapAdminKey(String bootstrapAdminKey) {
    this.bootstrapAdminKey = bootstrapAdminKey == null ? "" : bootstrapAdminKey;
  }

  /** The configured bootstrap secret, else the environment's, else empty. */
  public String bootstrapSecret() {
    if (!bootstrapAdminKey.isBlank()) {
      return bootstrapAdminKey.strip();
    }
    String fromEnv = System.getenv(BOOTSTRAP_ENV);
    return fromEnv == null ? "" : fromEnv.strip();
  }

  @JsonProperty
  public String getBootstrapAdminName() {
    return bootstrapAdminName;
  }

  @JsonProperty
  public void setBootstrapAdminName(String bootstrapAdminName) {
    this.bootstrapAdminName = bootstrapAdminName;
  }

  @JsonProperty
  public Duration getReloadInterval() {
    return reloadInterval;
  }

  @JsonProperty
  public void setReloadInterval(Duration reloadInterval) {
    this.reloadInterval = reloadInterval;
  }
}
