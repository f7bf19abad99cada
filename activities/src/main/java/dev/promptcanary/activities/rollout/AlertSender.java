package dev.promptcanary.activities.rollout;

import dev.promptcanary.activities.observability.RolloutMeters;
import dev.promptcanary.activities.store.Json;
import dev.promptcanary.workflows.rollout.AlertEvent;
import dev.promptcanary.workflows.rollout.WebhookFormat;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers alert events to a webhook, as the event's JSON or as a Slack message. Delivery is at
 * least once (the activity is retried on failure), so every POST carries an {@code Idempotency-Key}
 * the receiver can deduplicate on; with a secret it also carries {@value #SIGNATURE_HEADER}, the
 * HMAC-SHA256 of the exact body bytes ({@link WebhookSignature}).
 */
public final class AlertSender {
  public static final String SIGNATURE_HEADER = "X-PromptCanary-Signature";
  private static final Logger LOG = LoggerFactory.getLogger(AlertSender.class);
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final WebhookTarget defaultTarget;
  private final AlertLinks links;
  private final RolloutMeters meters;

  /** No default webhook, no links, meters nobody reads. */
  public AlertSender() {
    this(null, AlertLinks.NONE, RolloutMeters.unread());
  }

  /**
   * @param defaultTarget where alerts of rollouts that name no webhook go, or null: those are only
   *     logged
   */
  public AlertSender(WebhookTarget defaultTarget, AlertLinks links, RolloutMeters meters) {
    this.defaultTarget = defaultTarget;
    this.links = links;
    this.meters = meters;
  }

  /** The webhook of a rollout that names {@code rolloutWebhook} (or none: the default). */
  public WebhookTarget targetFor(String rolloutWebhook, String secret, WebhookFormat format) {
    if (rolloutWebhook == null || rolloutWebhook.isBlank()) {
      return defaultTarget;
    }
    return new WebhookTarget(rolloutWebhook, secret, format);
  }

  /** Delivers to the event's own webhook, unsigned JSON, or to the default when it names none. */
  public void deliver(AlertEvent event, String idempotencyKey)
      throws IOException, InterruptedException {
    deliver(event, targetFor(event.webhook(), null, WebhookFormat.JSON), idempotencyKey);
  }

  /** Delivers to {@code target}; null only logs the event. */
  public void deliver(AlertEvent event, WebhookTarget target, String idempotencyKey)
      throws IOException, InterruptedException {
    LOG.info("alert {} for rollout {}: {}", event.event(), event.rolloutId(), event.reason());
    if (target == null) {
      return;
    }
    byte[] body = body(event, target.format());
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(target.url()))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", idempotencyKey)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (target.secret() != null) {
      request.header(SIGNATURE_HEADER, WebhookSignature.sign(target.secret(), body));
    }
    String format = target.format().name().toLowerCase(Locale.ROOT);
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException | RuntimeException e) {
      meters.webhook(format, false);
      throw e;
    }
    if (response.statusCode() / 100 != 2) {
      meters.webhook(format, false);
      throw new IOException("webhook " + target.url() + " answered " + response.statusCode());
    }
    meters.webhook(format, true);
  }

  /** The exact bytes POSTed (and signed) for {@code event} in {@code format}. */
  public byte[] body(AlertEvent event, WebhookFormat format) {
    String json =
        format == WebhookFormat.SLACK
            ? Json.write(SlackMessage.of(event, links))
            : Json.write(event);
    return json.getBytes(StandardCharsets.UTF_8);
  }
}
