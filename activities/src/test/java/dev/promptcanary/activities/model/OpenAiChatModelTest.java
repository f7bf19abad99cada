package dev.promptcanary.activities.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.promptcanary.testkit.ModelSimulator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client against the simulator over real loopback HTTP. */
class OpenAiChatModelTest {
  private static final String KEY = "sk-test-0123456789abcdefSECRET";
  private ModelSimulator sim;

  @BeforeEach
  void start() {
    sim = ModelSimulator.start(0);
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private ModelEndpoint endpoint() {
    return ModelEndpoint.of(sim.baseUrl(), "PROMPTCANARY_TEST_KEY", "sim-model")
        .withTimeout(Duration.ofSeconds(10))
        .withRetries(3, Duration.ofMillis(10), Duration.ofMillis(50))
        .withPrices(Map.of("sim-", new ModelEndpoint.Price(2.0, 8.0)));
  }

  private OpenAiChatModel client(ModelEndpoint endpoint) {
    return new OpenAiChatModel(endpoint, name -> "PROMPTCANARY_TEST_KEY".equals(name) ? KEY : null);
  }

  private static ChatRequest request(String system, String user) {
    return new ChatRequest(
        null,
        List.of(ChatMessage.system(system), ChatMessage.user(user)),
        Map.of("temperature", 0.2),
        false);
  }

  @Test
  void completionCarriesUsageAndCostFromThePriceTable() throws Exception {
    sim.requireApiKey(KEY);
    ChatResponse response =
        client(endpoint()).complete(request("Be brief. [sim quality=0.7]", "Where is my order?"));

    assertThat(response.content())
        .startsWith("Simulated answer to: Where is my order?")
        .contains("[sim-quality=0.70]");
    assertThat(response.model()).isEqualTo("sim-model");
    assertThat(response.inputTokens()).isPositive();
    assertThat(response.outputTokens()).isPositive();
    assertThat(response.cost())
        .isEqualTo((response.inputTokens() * 2.0 + response.outputTokens() * 8.0) / 1_000_000.0);
    assertThat(sim.requests()).isEqualTo(1);
    assertThat(sim.lastRequest().path("temperature").asDouble()).isEqualTo(0.2);
    assertThat(sim.lastRequest().has("response_format")).isFalse();
  }

  @Test
  void jsonModeSendsResponseFormat() throws Exception {
    ChatRequest json =
        new ChatRequest("sim-model", List.of(ChatMessage.user("hi")), Map.of(), true);
    ChatResponse response = client(endpoint()).complete(json);

    assertThat(sim.lastRequest().path("response_format").path("type").asText())
        .isEqualTo("json_object");
    assertThat(response.content()).startsWith("{\"answer\":");
  }

  @Test
  void unpricedModelCostsNothingButCountsTokens() throws Exception {
    ChatResponse response =
        client(endpoint().withPrices(Map.of("gpt-4o", new ModelEndpoint.Price(1, 1))))
            .complete(request("x", "y"));

    assertThat(response.cost()).isZero();
    assertThat(response.inputTokens()).isPositive();
  }

  @Test
  void retriesAfter429AndWaitsAsRetryAfterAsks() throws Exception {
    sim.failNext(2, 429, Duration.ofSeconds(1));

    ChatResponse response = client(endpoint()).complete(request("x", "y"));

    assertThat(response.content()).startsWith("Simulated answer");
    // Two refusals, then the answer; a retry before the Retry-After time would have been counted
    // and refused.
    assertThat(sim.requests()).isEqualTo(3);
    assertThat(sim.earlyRequests()).isZero();
  }

  @Test
  void honoursRetryAfterGivenAsHttpDate() throws Exception {
    sim.failNext(1, 503, Duration.ofSeconds(1), true);

    client(endpoint()).complete(request("x", "y"));

    assertThat(sim.requests()).isEqualTo(2);
    assertThat(sim.earlyRequests()).isZero();
  }

  @Test
  void givesUpAfterMaxRetriesWithTheStatus() {
    sim.failNext(10, 503, null);

    ModelException e =
        catchThrowableOfType(
            () -> client(endpoint()).complete(request("x", "y")), ModelException.class);

    assertThat(e.status()).isEqualTo(503);
    assertThat(e.retryable()).isTrue();
    assertThat(e.getMessage()).contains("after 4 attempts").contains("HTTP 503");
    assertThat(sim.requests()).isEqualTo(4);
  }

  @Test
  void clientErrorIsNotRetried() {
    ChatRequest empty = new ChatRequest("sim-model", List.of(), Map.of(), false);

    ModelException e =
        catchThrowableOfType(() -> client(endpoint()).complete(empty), ModelException.class);

    assertThat(e.status()).isEqualTo(400);
    assertThat(e.retryable()).isFalse();
    assertThat(sim.requests()).isEqualTo(1);
  }

  @Test
  void timeoutIsARetryableStatusZeroFailure() {
    sim.hangNext(2, Duration.ofSeconds(30));
    ModelEndpoint endpoint =
        endpoint()
            .withTimeout(Duration.ofMillis(300))
            .withRetries(1, Duration.ofMillis(10), Duration.ofMillis(10));

    ModelException e =
        catchThrowableOfType(
            () -> client(endpoint).complete(request("x", "y")), ModelException.class);

    assertThat(e.status()).isZero();
    assertThat(e.retryable()).isTrue();
    assertThat(e.getMessage()).contains("no answer within 300 ms").contains("after 2 attempts");
    assertThat(sim.requests()).isEqualTo(2);
  }

  @Test
  void apiKeyNeverAppearsInErrorsOrToString() {
    sim.requireApiKey("sk-the-right-one");
    OpenAiChatModel client = client(endpoint());

    ModelException e =
        catchThrowableOfType(() -> client.complete(request("x", "y")), ModelException.class);

    assertThat(e.status()).isEqualTo(401);
    // The simulator echoes the received header, as some servers do; the client must have cut the
    // key out.
    assertThat(e.getMessage())
        .contains("Incorrect API key provided")
        .contains("[redacted]")
        .doesNotContain(KEY);
    assertThat(e.getCause()).isNull();
    assertThat(client.toString()).doesNotContain(KEY).contains("PROMPTCANARY_TEST_KEY");
    assertThat(client.endpoint().toString()).doesNotContain(KEY);
  }

  @Test
  void unreachableServerIsAConnectionFailure() {
    int port = sim.port();
    sim.close();
    ModelEndpoint endpoint =
        endpoint().withRetries(1, Duration.ofMillis(10), Duration.ofMillis(10));

    assertThatThrownBy(() -> client(endpoint).complete(request("x", "y")))
        .isInstanceOfSatisfying(
            ModelException.class,
            e -> {
              assertThat(e.status()).isZero();
              assertThat(e.retryable()).isTrue();
              assertThat(e.getMessage()).contains("connection failed").contains(":" + port + "/");
            });
  }

  @Test
  void concurrencyLimitBoundsCallsInFlight() throws Exception {
    assertThat(maxInFlightWith(2, 8)).isBetween(1, 2);
    sim.close();
    sim = ModelSimulator.start(0);
    // The same load without the limit does overlap, so the bound above is the client's doing.
    assertThat(maxInFlightWith(8, 8)).isGreaterThan(2);
  }

  private int maxInFlightWith(int limit, int callers) throws Exception {
    OpenAiChatModel client = client(endpoint().withMaxConcurrency(limit));
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(callers);
    try {
      java.util.List<java.util.concurrent.Future<ChatResponse>> calls = new java.util.ArrayList<>();
      for (int i = 0; i < callers; i++) {
        ChatRequest slow = request("[sim latency_ms=300]", "call " + i);
        calls.add(pool.submit(() -> client.complete(slow)));
      }
      for (var call : calls) {
        assertThat(call.get().content()).startsWith("Simulated answer");
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(sim.requests()).isEqualTo(callers);
    return sim.maxInFlight();
  }

  @Test
  void retryAfterParsesSecondsAndDates() {
    assertThat(OpenAiChatModel.parseRetryAfter("3")).isEqualTo(Duration.ofSeconds(3));
    assertThat(OpenAiChatModel.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT"))
        .isEqualTo(Duration.ZERO);
    assertThat(OpenAiChatModel.parseRetryAfter("soon")).isNull();
  }
}
