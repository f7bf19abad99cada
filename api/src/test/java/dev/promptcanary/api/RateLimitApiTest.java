package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptcanary.activities.store.TestDatabases;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import dev.promptcanary.api.TestApps.Http;
import dev.promptcanary.api.auth.Role;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.util.Duration;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Per-client rate limits: a client over its ingest or control limit is answered 429 with {@code
 * Retry-After}, each API key (or, without one, each address) counted on its own, and the rest of
 * the API untouched. The periods are an hour so the test never depends on timing.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class RateLimitApiTest {
  static final TestDatabase DB = TestDatabases.fresh();
  static final DropwizardAppExtension<PromptCanaryConfiguration> APP =
      new DropwizardAppExtension<>(PromptCanaryApplication.class, config());

  static PromptCanaryConfiguration config() {
    PromptCanaryConfiguration config = TestApps.config(DB);
    config.getLimits().getIngest().setEnabled(true);
    config.getLimits().getControls().setEnabled(true);
    config.getLimits().getIngest().setRequests(3);
    config.getLimits().getIngest().setPeriod(Duration.hours(1));
    config.getLimits().getControls().setRequests(2);
    config.getLimits().getControls().setPeriod(Duration.hours(1));
    return config;
  }

  /** Two real keys that may both report: each has its own budget. */
  static final String CLIENT_KEY = TestKeys.key(DB, Role.CLIENT);

  static final String OTHER_KEY = TestKeys.key(DB, Role.DEPLOYER);

  @BeforeAll
  static void prompt() {
    new Http(APP).post("/v1/prompts/chat/versions", TestApps.version(1));
  }

  /**
   * The JDK's client, which answers a 429 as it is: the Apache client behind {@code APP.client()}
   * would wait out {@code Retry-After} and retry.
   */
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  private static HttpResponse<String> post(String path, String key, String body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://localhost:" + APP.getLocalPort() + path))
            .header("Content-Type", "application/json")
            .timeout(java.time.Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    try {
      return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException | InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private static String observation(String id) {
    return "{\"observations\":[{\"requestId\":\""
        + id
        + "\",\"prompt\":\"chat\",\"version\":1,\"latencyMs\":1,\"error\":false,\"safetyFlag\":false}]}";
  }

  @Test
  void ingestOverTheLimitIs429WithRetryAfterPerKey() {
    for (int i = 0; i < 3; i++) {
      assertThat(post("/v1/observations", CLIENT_KEY, observation("a-" + i)).statusCode())
          .isEqualTo(200);
    }
    long rows = Rows.total(DB.jdbi());
    HttpResponse<String> limited = post("/v1/observations", CLIENT_KEY, observation("a-3"));
    assertThat(limited.statusCode()).isEqualTo(429);
    long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
    assertThat(retryAfter).isBetween(1L, 3600L);
    assertThat(limited.body()).contains("\"code\":429").contains("\"field\":\"Authorization\"");
    assertThat(Rows.total(DB.jdbi())).isEqualTo(rows);
    // Another key has its own budget, and reads are not limited.
    assertThat(post("/v1/observations", OTHER_KEY, observation("b-0")).statusCode()).isEqualTo(200);
    assertThat(new Http(APP).get("/v1/prompts/chat/metrics").status()).isEqualTo(200);
  }

  @Test
  void controlsHaveTheirOwnLimitAndAnonymousClientsAreCountedByAddress() {
    String control = "{\"actor\":\"a\",\"reason\":\"r\"}";
    // Without a key every request is refused (401), and still counted against the address's
    // budget: the limit comes first, so a flood without keys is cut off too.
    for (int i = 0; i < 2; i++) {
      assertThat(post("/v1/rollouts/nosuch/pause", null, control).statusCode()).isEqualTo(401);
    }
    HttpResponse<String> limited = post("/v1/rollouts/nosuch/pause", null, control);
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.headers().firstValue("Retry-After")).isPresent();
    assertThat(limited.body()).contains("\"field\":\"client\"");
    assertThat(post("/v1/rollouts", null, "{}").statusCode()).isEqualTo(429);
    // A made-up key buys no budget of its own: it is counted against its address.
    assertThat(post("/v1/rollouts", "pck_made-up-for-a-fresh-budget", "{}").statusCode())
        .isEqualTo(429);
    // Ingest is a separate budget: the address is not yet limited there (refused only for its
    // missing key).
    assertThat(post("/v1/observations", null, observation("c-0")).statusCode()).isEqualTo(401);
  }
}
