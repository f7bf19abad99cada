package dev.promptcanary.bench.scale;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Rollout starts and controls as a polite client sends them: the API allows a key 10 a second
 * ({@code limits.controls}), so a 429 waits for its {@code Retry-After} and goes again.
 */
final class Controls {
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String baseUrl;
  private final String key;

  /** The final answer, and how many 503s (Temporal slow or unavailable) came before it. */
  record Answer(int status, String body, int unavailableBefore) {}

  Controls(String baseUrl, String key) {
    this.baseUrl = baseUrl;
    this.key = key;
  }

  Answer send(String path, String json) throws Exception {
    int unavailable = 0;
    for (int attempt = 0; ; attempt++) {
      HttpResponse<String> reply;
      try {
        reply =
            http.send(
                HttpRequest.newBuilder(URI.create(baseUrl + path))
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + key)
                    .timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString(json))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
      } catch (java.io.IOException e) {
        if (attempt >= 5) {
          return new Answer(-1, e.toString(), unavailable);
        }
        Thread.sleep(1000);
        continue;
      }
      if (reply.statusCode() != 429 && reply.statusCode() != 503 || attempt >= 600) {
        return new Answer(reply.statusCode(), reply.body(), unavailable);
      }
      if (reply.statusCode() == 503) {
        unavailable++;
      }
      long seconds = reply.headers().firstValueAsLong("Retry-After").orElse(1);
      Thread.sleep(Math.max(100, Math.min(seconds, 5) * 1000));
    }
  }
}
