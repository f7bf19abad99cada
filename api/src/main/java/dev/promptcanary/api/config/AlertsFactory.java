package dev.promptcanary.api.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.promptcanary.activities.rollout.AlertLinks;
import dev.promptcanary.activities.rollout.WebhookTarget;
import dev.promptcanary.workflows.rollout.WebhookFormat;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Where alerts go when a rollout names no webhook, and the address their links point at. Read by
 * the worker, which delivers them.
 */
public class AlertsFactory {
  @Valid @NotNull private WebhookFactory defaultWebhook = new WebhookFactory();

  /**
   * The API's address as people reach it (e.g. {@code https://canary.example.com}); empty: none.
   */
  @Pattern(regexp = "(https?://\\S+)?", message = "must be empty or an http(s) URL")
  private String publicUrl = "";

  /** The global default webhook; without a url, alerts of rollouts naming none are only logged. */
  public static class WebhookFactory {
    @Pattern(regexp = "(https?://\\S+)?", message = "must be empty or an http(s) URL")
    private String url = "";

    @Size(max = 200)
    private String secret = "";

    @NotNull private WebhookFormat format = WebhookFormat.JSON;

    @JsonProperty
    public String getUrl() {
      return url;
    }

    @JsonProperty
    public void setUrl(String url) {
      this.url = url == null ? "" : url.strip();
    }

    /** Write-only: a config dump never shows it. */
    @JsonIgnore
    public String getSecret() {
      return secret;
    }

    @JsonProperty
    public void setSecret(String secret) {
      this.secret = secret == null ? "" : secret;
    }

    @JsonProperty
    public WebhookFormat getFormat() {
      return format;
    }

    @JsonProperty
    public void setFormat(WebhookFormat format) {
      this.format = format;
    }

    @JsonIgnore
    @AssertTrue(message = "a secret needs a url to sign for")
    public boolean isSecretWithUrl() {
      return secret.isEmpty() || !url.isEmpty();
    }
  }

  @JsonProperty
  public WebhookFactory getDefaultWebhook() {
    return defaultWebhook;
  }

  @JsonProperty
  public void setDefaultWebhook(WebhookFactory defaultWebhook) {
    this.defaultWebhook = defaultWebhook;
  }

  @JsonProperty
  public String getPublicUrl() {
    return publicUrl;
  }

  @JsonProperty
  public void setPublicUrl(String publicUrl) {
    this.publicUrl = publicUrl == null ? "" : publicUrl.strip();
  }

  /** The default webhook, or null when none is configured. */
  public WebhookTarget defaultTarget() {
    if (defaultWebhook.getUrl().isEmpty()) {
      return null;
    }
    return new WebhookTarget(
        defaultWebhook.getUrl(), defaultWebhook.getSecret(), defaultWebhook.getFormat());
  }

  public AlertLinks links(String temporalUiUrl, String namespace) {
    return new AlertLinks(publicUrl, temporalUiUrl, namespace);
  }
}
