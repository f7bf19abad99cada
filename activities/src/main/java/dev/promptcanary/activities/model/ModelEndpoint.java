package dev.promptcanary.activities.model;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * Where and how to call an OpenAI-compatible chat-completions endpoint. {@code baseUrl} is the API
 * root (e.g. {@code https://api.openai.com/v1}, {@code http://localhost:11434/v1}); the client
 * posts to {@code {baseUrl}/chat/completions}. {@code apiKeyEnv} names the environment variable
 * holding the key (null or blank: no key, e.g. for a local server); the key itself is never part of
 * this record. {@code model} is used when a request names none. {@code timeout} bounds each
 * attempt; {@code maxRetries} is the number of retries after the first attempt on 429, 5xx,
 * timeouts and connection failures, waiting {@code initialBackoff * 2^n} (capped at {@code
 * maxBackoff}) or what the server's {@code Retry-After} asks (capped at {@code maxRetryAfter}).
 * {@code maxConcurrency} bounds calls in flight through one client. {@code prices} maps a model
 * name (or a prefix of it, longest wins) to its USD price per million tokens.
 */
public record ModelEndpoint(
    URI baseUrl,
    String apiKeyEnv,
    String model,
    Duration timeout,
    int maxRetries,
    int maxConcurrency,
    Duration initialBackoff,
    Duration maxBackoff,
    Duration maxRetryAfter,
    Map<String, Price> prices) {

  /** USD per one million input (prompt) and output (completion) tokens. */
  public record Price(double inputPerMillion, double outputPerMillion) {
    public Price {
      if (inputPerMillion < 0 || outputPerMillion < 0) {
        throw new IllegalArgumentException("prices must not be negative");
      }
    }

    public double cost(int inputTokens, int outputTokens) {
      return (inputTokens * inputPerMillion + outputTokens * outputPerMillion) / 1_000_000.0;
    }
  }

  public ModelEndpoint {
    if (baseUrl == null || model == null || model.isBlank()) {
      throw new IllegalArgumentException("a model endpoint needs a base URL and a default model");
    }
    String url = baseUrl.toString();
    if (url.endsWith("/")) {
      baseUrl = URI.create(url.substring(0, url.length() - 1));
    }
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive");
    }
    if (maxRetries < 0 || maxConcurrency < 1) {
      throw new IllegalArgumentException("maxRetries must be >= 0 and maxConcurrency >= 1");
    }
    initialBackoff = initialBackoff == null ? Duration.ofMillis(500) : initialBackoff;
    maxBackoff = maxBackoff == null ? Duration.ofSeconds(20) : maxBackoff;
    maxRetryAfter = maxRetryAfter == null ? Duration.ofSeconds(60) : maxRetryAfter;
    prices = prices == null ? Map.of() : Map.copyOf(prices);
  }

  /**
   * Defaults: 60 s per attempt, 3 retries, 8 calls in flight, backoff 0.5 s doubling up to 20 s, no
   * prices.
   */
  public static ModelEndpoint of(URI baseUrl, String apiKeyEnv, String model) {
    return new ModelEndpoint(
        baseUrl, apiKeyEnv, model, Duration.ofSeconds(60), 3, 8, null, null, null, Map.of());
  }

  public ModelEndpoint withTimeout(Duration value) {
    return with(value, maxRetries, maxConcurrency, initialBackoff, maxBackoff, prices);
  }

  public ModelEndpoint withRetries(int value, Duration initial, Duration max) {
    return with(timeout, value, maxConcurrency, initial, max, prices);
  }

  public ModelEndpoint withMaxConcurrency(int value) {
    return with(timeout, maxRetries, value, initialBackoff, maxBackoff, prices);
  }

  public ModelEndpoint withPrices(Map<String, Price> value) {
    return with(timeout, maxRetries, maxConcurrency, initialBackoff, maxBackoff, value);
  }

  private ModelEndpoint with(
      Duration newTimeout,
      int newMaxRetries,
      int newMaxConcurrency,
      Duration newInitialBackoff,
      Duration newMaxBackoff,
      Map<String, Price> newPrices) {
    return new ModelEndpoint(
        baseUrl,
        apiKeyEnv,
        model,
        newTimeout,
        newMaxRetries,
        newMaxConcurrency,
        newInitialBackoff,
        newMaxBackoff,
        maxRetryAfter,
        newPrices);
  }

  /**
   * The price of {@code model}: an exact entry, else the longest entry that is a prefix of it; null
   * if none.
   */
  public Price priceOf(String modelName) {
    return new PriceTable(prices).priceOf(modelName);
  }
}
