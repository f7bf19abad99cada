package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.promptcanary.activities.store.TestDatabases;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import dev.promptcanary.api.TestApps.Http;
import dev.promptcanary.api.auth.Role;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The SDKs' routing feed: the snapshot with its ETag, the long-poll that answers a change made on
 * another node, and version contents served as immutable.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class RoutingFeedApiTest {
  static final TestDatabase DB = TestDatabases.fresh();
  static final DropwizardAppExtension<PromptCanaryConfiguration> NODE_A = TestApps.api(DB);
  static final DropwizardAppExtension<PromptCanaryConfiguration> NODE_B = TestApps.api(DB);
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void prompts() {
    Http admin = new Http(NODE_A);
    admin.post("/v1/prompts/feed/versions", TestApps.version(1));
    admin.post("/v1/prompts/feed/versions", TestApps.version(2));
  }

  static HttpResponse<String> get(
      DropwizardAppExtension<PromptCanaryConfiguration> node, String path, String ifNoneMatch)
      throws Exception {
    return send(node, path, ifNoneMatch).get(60, TimeUnit.SECONDS);
  }

  static CompletableFuture<HttpResponse<String>> send(
      DropwizardAppExtension<PromptCanaryConfiguration> node, String path, String ifNoneMatch) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://localhost:" + node.getLocalPort() + path))
            .header("Authorization", "Bearer " + TestKeys.key(DB, Role.CLIENT))
            .timeout(Duration.ofSeconds(60));
    if (ifNoneMatch != null) {
      request.header("If-None-Match", ifNoneMatch);
    }
    return HTTP.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode feedPrompt(JsonNode snapshot) {
    for (JsonNode p : snapshot.path("prompts")) {
      if (p.path("prompt").asText().equals("feed")) {
        return p;
      }
    }
    throw new AssertionError("no prompt 'feed' in " + snapshot);
  }

  @Test
  void theSnapshotCarriesWhatALocalResolveNeedsAndItsEtag() throws Exception {
    HttpResponse<String> reply = get(NODE_A, "/v1/routing", null);
    assertThat(reply.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(reply.body());
    String etag = body.path("etag").asText();
    assertThat(reply.headers().firstValue("ETag")).contains("\"" + etag + "\"");
    JsonNode feed = feedPrompt(body);
    assertThat(feed.path("stableVersion").asInt()).isEqualTo(1);
    assertThat(feed.path("stableContentHash").asText()).startsWith("sha256:");
    assertThat(feed.path("salt").isTextual()).isTrue();
    assertThat(feed.has("fenceSeq")).isTrue();

    assertThat(get(NODE_A, "/v1/routing", "\"" + etag + "\"").statusCode()).isEqualTo(304);
    // The other node serves the same routing under the same ETag.
    assertThat(get(NODE_B, "/v1/routing", "\"" + etag + "\"").statusCode()).isEqualTo(304);
  }

  @Test
  void aQuietPollEndsWith304AndAPollAnswersAChangeWrittenOnAnotherNode() throws Exception {
    String etag = JSON.readTree(get(NODE_B, "/v1/routing", null).body()).path("etag").asText();
    HttpResponse<String> quiet = get(NODE_B, "/v1/routing/stream?wait=1", "\"" + etag + "\"");
    assertThat(quiet.statusCode()).isEqualTo(304);
    assertThat(quiet.headers().firstValue("ETag")).contains("\"" + etag + "\"");

    CompletableFuture<HttpResponse<String>> poll =
        send(NODE_B, "/v1/routing/stream?wait=25", "\"" + etag + "\"");
    assertThat(
            new Http(NODE_A)
                .put(
                    "/v1/prompts/feed/routing",
                    "{\"stableVersion\":1,\"canaryVersion\":2,\"canaryWeightBp\":2500,\"reason\":\"feed\"}")
                .status())
        .isEqualTo(200);
    HttpResponse<String> changed = poll.get(60, TimeUnit.SECONDS);
    assertThat(changed.statusCode()).isEqualTo(200);
    JsonNode snapshot = JSON.readTree(changed.body());
    assertThat(snapshot.path("etag").asText()).isNotEqualTo(etag);
    JsonNode feed = feedPrompt(snapshot);
    assertThat(feed.path("canaryVersion").asInt()).isEqualTo(2);
    assertThat(feed.path("canaryWeightBp").asInt()).isEqualTo(2500);
    assertThat(feed.path("salt").asText()).isEqualTo("canary-v2");
  }

  @Test
  void aWaitOutsideItsRangeIsA422NamingWait() throws Exception {
    HttpResponse<String> reply = get(NODE_A, "/v1/routing/stream?wait=26", null);
    assertThat(reply.statusCode()).isEqualTo(422);
    assertThat(JSON.readTree(reply.body()).path("field").asText()).isEqualTo("wait");
  }

  @Test
  void versionContentsAreImmutableWithTheContentHashAsEtag() throws Exception {
    HttpResponse<String> reply = get(NODE_A, "/v1/routing/versions/feed/2", null);
    assertThat(reply.statusCode()).isEqualTo(200);
    JsonNode version = JSON.readTree(reply.body());
    String hash = version.path("contentHash").asText();
    assertThat(version.path("content").path("template").asText()).contains("{{question}}");
    assertThat(reply.headers().firstValue("ETag")).contains("\"" + hash + "\"");
    assertThat(reply.headers().firstValue("Cache-Control").orElseThrow()).contains("immutable");
    assertThat(get(NODE_A, "/v1/routing/versions/feed/2", "\"" + hash + "\"").statusCode())
        .isEqualTo(304);

    HttpResponse<String> missing = get(NODE_A, "/v1/routing/versions/feed/9", null);
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(missing.body()).path("field").asText()).isEqualTo("version");
  }
}
