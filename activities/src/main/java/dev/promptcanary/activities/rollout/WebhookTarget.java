package dev.promptcanary.activities.rollout;

import dev.promptcanary.workflows.rollout.WebhookFormat;

/**
 * Where one alert goes and how: the rollout's own webhook, or the configured default.
 *
 * @param url the http(s) URL POSTed to
 * @param secret the HMAC-SHA256 key of the {@value AlertSender#SIGNATURE_HEADER} header, or null to
 *     send unsigned
 * @param format the body's shape
 */
public record WebhookTarget(String url, String secret, WebhookFormat format) {
  public WebhookTarget {
    format = format == null ? WebhookFormat.JSON : format;
    secret = secret == null || secret.isEmpty() ? null : secret;
  }
}
