package dev.promptcanary.activities.rollout;

import dev.promptcanary.activities.store.Json;
import dev.promptcanary.workflows.rollout.AlertEvent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers alert events to a webhook as JSON. Delivery is at least once (the activity is retried on
 * failure), so every POST carries an {@code Idempotency-Key} the receiver can deduplicate on.
 */
public final class AlertSender {
  private static final Logger LOG = LoggerFactory.getLogger(AlertSender.class);
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public void deliver(AlertEvent event, String idempotencyKey)
      throws IOException, InterruptedException {
    LOG.info("alert {} for rollout {}: {}", event.event(), event.rolloutId(), event.reason());
    if (event.webhook() == null || event.webhook().isBlank()) {
      return;
    }
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(event.webhook()))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", idempotencyKey)
            .POST(HttpRequest.BodyPublishers.ofString(Json.write(event)))
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IOException("webhook " + event.webhook() + " answered " + response.statusCode());
    }
  }
}
