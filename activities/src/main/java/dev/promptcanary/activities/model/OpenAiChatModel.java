package dev.promptcanary.activities.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ChatModel} over the OpenAI chat-completions HTTP API ({@code POST
 * {baseUrl}/chat/completions}), so any compatible server plugs in: OpenAI, vLLM, Ollama, llama.cpp
 * server, LiteLLM, the {@code ModelSimulator}.
 *
 * <p>Each attempt is bounded by the endpoint's timeout; 429, 5xx, timeouts and connection failures
 * are retried with exponential backoff (with jitter), or after the server's {@code Retry-After}
 * (delta seconds or an HTTP date) when it sends one. At most {@code maxConcurrency} attempts are in
 * flight at once; a caller waits for a slot. Tokens come from the response's {@code usage}, cost
 * from the endpoint's price table. The API key is read once from the named environment variable,
 * sent only in the {@code Authorization} header, and removed from every error message; it is never
 * logged and not part of {@link #toString()}.
 */
public final class OpenAiChatModel implements ChatModel {
  private static final Logger LOG = LoggerFactory.getLogger(OpenAiChatModel.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BODY_IN_MESSAGE = 300;

  private final ModelEndpoint endpoint;
  private final URI completionsUri;
  private final String apiKey;
  private final HttpClient http;
  private final Semaphore inFlight;

  /** Reads the API key from the process environment. */
  public OpenAiChatModel(ModelEndpoint endpoint) {
    this(endpoint, System::getenv);
  }

  /**
   * {@code environment} looks up the variable {@code endpoint.apiKeyEnv()} (tests pass their own).
   */
  public OpenAiChatModel(ModelEndpoint endpoint, Function<String, String> environment) {
    this.endpoint = endpoint;
    this.completionsUri = URI.create(endpoint.baseUrl() + "/chat/completions");
    String env = endpoint.apiKeyEnv();
    String key = env == null || env.isBlank() ? null : environment.apply(env);
    if (env != null && !env.isBlank() && (key == null || key.isBlank())) {
      LOG.warn(
          "environment variable {} is not set; calling {} without an API key",
          env,
          endpoint.baseUrl());
    }
    this.apiKey = key == null || key.isBlank() ? null : key;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(endpoint.timeout())
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    this.inFlight = new Semaphore(endpoint.maxConcurrency(), true);
  }

  public ModelEndpoint endpoint() {
    return endpoint;
  }

  @Override
  public ChatResponse complete(ChatRequest request) throws ModelException {
    String model =
        request.model() == null || request.model().isBlank() ? endpoint.model() : request.model();
    byte[] body = requestBody(model, request);
    long started = System.nanoTime();
    int attempts = endpoint.maxRetries() + 1;
    for (int attempt = 1; ; attempt++) {
      Failure failure;
      try {
        HttpResponse<String> response = send(body);
        int status = response.statusCode();
        if (status / 100 == 2) {
          long latencyMs = (System.nanoTime() - started) / 1_000_000;
          return parse(response.body(), model, latencyMs);
        }
        boolean retryable = status == 429 || status == 408 || status / 100 == 5;
        failure =
            new Failure(
                "HTTP " + status + ": " + snippet(response.body()),
                status,
                retryable,
                null,
                retryAfter(response));
      } catch (HttpTimeoutException e) {
        failure =
            new Failure(
                "no answer within " + endpoint.timeout().toMillis() + " ms", 0, true, e, null);
      } catch (IOException e) {
        failure = new Failure("connection failed: " + e, 0, true, e, null);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ModelException(describe("interrupted", attempt), 0, true, null);
      }
      if (!failure.retryable || attempt >= attempts) {
        // The cause is dropped: a transport exception could carry request details, and the message
        // says enough.
        throw new ModelException(
            describe(failure.message, attempt), failure.status, failure.retryable, null);
      }
      Duration wait =
          failure.retryAfter != null
              ? min(failure.retryAfter, endpoint.maxRetryAfter())
              : backoff(attempt);
      LOG.debug(
          "model call to {} failed ({}), retry {} of {} in {} ms",
          completionsUri,
          redact(failure.message),
          attempt,
          endpoint.maxRetries(),
          wait.toMillis());
      try {
        Thread.sleep(wait.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ModelException(
            describe("interrupted while waiting to retry", attempt), 0, true, null);
      }
    }
  }

  private record Failure(
      String message, int status, boolean retryable, Throwable cause, Duration retryAfter) {}

  private HttpResponse<String> send(byte[] body) throws IOException, InterruptedException {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(completionsUri)
            .timeout(endpoint.timeout())
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (apiKey != null) {
      builder.header("Authorization", "Bearer " + apiKey);
    }
    inFlight.acquire();
    try {
      return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    } finally {
      inFlight.release();
    }
  }

  private byte[] requestBody(String model, ChatRequest request) throws ModelException {
    ObjectNode root = JSON.createObjectNode();
    // The prompt's sampling parameters first, so the fields this client owns cannot be overridden
    // by them.
    for (Map.Entry<String, Object> p : request.parameters().entrySet()) {
      root.set(p.getKey(), JSON.valueToTree(p.getValue()));
    }
    root.put("model", model);
    ArrayNode messages = root.putArray("messages");
    for (ChatMessage m : request.messages()) {
      messages.addObject().put("role", m.role()).put("content", m.content());
    }
    root.put("stream", false);
    if (request.jsonMode()) {
      root.putObject("response_format").put("type", "json_object");
    }
    try {
      return JSON.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new ModelException("cannot encode the request: " + e.getMessage(), 0, false, null);
    }
  }

  private ChatResponse parse(String body, String requestedModel, long latencyMs)
      throws ModelException {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      throw new ModelException(
          describe("answer is not JSON: " + snippet(body), 1), 200, false, null);
    }
    JsonNode content = root.path("choices").path(0).path("message").path("content");
    if (!content.isTextual()) {
      throw new ModelException(
          describe("answer has no choices[0].message.content: " + snippet(body), 1),
          200,
          false,
          null);
    }
    String model = root.path("model").isTextual() ? root.path("model").asText() : requestedModel;
    JsonNode usage = root.path("usage");
    int input = usage.path("prompt_tokens").asInt(0);
    int output = usage.path("completion_tokens").asInt(0);
    ModelEndpoint.Price price =
        Optional.ofNullable(endpoint.priceOf(model))
            .orElseGet(() -> endpoint.priceOf(requestedModel));
    double cost = price == null ? 0.0 : price.cost(input, output);
    return new ChatResponse(content.asText(), model, input, output, cost, latencyMs);
  }

  /** {@code Retry-After} as delta seconds or an HTTP date; null when absent or unreadable. */
  static Duration retryAfter(HttpResponse<?> response) {
    return response
        .headers()
        .firstValue("Retry-After")
        .map(OpenAiChatModel::parseRetryAfter)
        .orElse(null);
  }

  static Duration parseRetryAfter(String value) {
    String v = value.trim();
    try {
      double seconds = Double.parseDouble(v);
      return seconds < 0 ? Duration.ZERO : Duration.ofMillis((long) Math.ceil(seconds * 1000));
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration d = Duration.between(Instant.now(), at);
        return d.isNegative() ? Duration.ZERO : d;
      } catch (DateTimeParseException notDate) {
        return null;
      }
    }
  }

  private Duration backoff(int attempt) {
    long base = endpoint.initialBackoff().toMillis() << Math.min(attempt - 1, 20);
    long capped = Math.min(base, endpoint.maxBackoff().toMillis());
    // Full jitter on the upper half, so clients that failed together do not retry together.
    long jittered = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
    return Duration.ofMillis(jittered);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private String describe(String what, int attempts) {
    return redact(
        "model call to "
            + completionsUri
            + " failed after "
            + attempts
            + (attempts == 1 ? " attempt: " : " attempts: ")
            + what);
  }

  /** Removes the API key wherever a server or a transport error echoed it. */
  private String redact(String text) {
    if (apiKey == null || text == null) {
      return text;
    }
    return text.replace(apiKey, "[redacted]");
  }

  /** Redacts before cutting, so a key at the cut cannot leak in part. */
  private String snippet(String body) {
    if (body == null) {
      return "";
    }
    String oneLine = redact(body).replaceAll("\\s+", " ").trim();
    return oneLine.length() <= MAX_BODY_IN_MESSAGE
        ? oneLine
        : oneLine.substring(0, MAX_BODY_IN_MESSAGE) + "…";
  }

  @Override
  public String toString() {
    return "OpenAiChatModel["
        + endpoint.baseUrl()
        + ", model "
        + endpoint.model()
        + ", key from "
        + (endpoint.apiKeyEnv() == null ? "nowhere" : endpoint.apiKeyEnv())
        + "]";
  }
}
