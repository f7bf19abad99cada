package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import dev.promptcanary.api.TestApps.Http;
import dev.promptcanary.api.TestApps.Http.Reply;
import dev.promptcanary.api.auth.Role;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The read-only web pages, on the embedded stack: a rollout started, paused and aborted through the
 * API.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class RolloutPagesTest {
  static final EmbeddedStack APP =
      EmbeddedStack.embedded(
          config -> config.getTemporal().setUiUrl("http://temporal-ui.test:8233/"));
  static final TestDatabase DB = APP.db();
  final Http http = new Http(APP);

  /** Text people typed that reaches the pages: why a rollout was paused, why it was aborted. */
  static final String PAUSE_REASON = "<script>alert('paused')</script> & co";

  static final String ABORT_REASON = "<img src=x onerror=alert(1)> \"quoted\"";

  record Page(int status, String contentType, String location, String body) {}

  /** A page as a reader sees it. */
  private Page page(String path) {
    return page(path, TestKeys.key(DB, Role.READER));
  }

  private Page page(String path, String key) {
    var request =
        APP.clientWithoutRedirects()
            .target("http://localhost:" + APP.getLocalPort() + path)
            .request(MediaType.TEXT_HTML);
    Response response =
        key == null ? request.get() : request.header("Authorization", "Bearer " + key).get();
    return new Page(
        response.getStatus(),
        response.getHeaderString("Content-Type"),
        response.getHeaderString("Location"),
        response.readEntity(String.class));
  }

  private JsonNode awaitRollout(String id, Predicate<JsonNode> condition) {
    return await("rollout " + id)
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> http.get("/v1/rollouts/" + id).body(), condition);
  }

  private static JsonNode gate(JsonNode dashboard, String key) {
    for (JsonNode g : dashboard.path("gates")) {
      if (g.path("key").asText().equals(key)) {
        return g;
      }
    }
    throw new AssertionError("no gate " + key + " in " + dashboard.path("gates"));
  }

  private static java.util.List<String> textValues(JsonNode array) {
    java.util.List<String> values = new java.util.ArrayList<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }

  @Test
  void theRootRedirectsToTheRollouts() {
    Page root = page("/");
    assertThat(root.status()).isEqualTo(303);
    assertThat(root.location()).endsWith("/ui/rollouts");
  }

  @Test
  void aRolloutIsShownWhileItRunsAndAfterItEnds() throws Exception {
    assertThat(http.post("/v1/prompts/pages/versions", TestApps.version(1)).status())
        .isEqualTo(201);
    assertThat(http.post("/v1/prompts/pages/versions", TestApps.version(2)).status())
        .isEqualTo(201);
    // startedBy in the body is ignored: the rollout is started by the key's name.
    Reply started =
        http.as(Role.DEPLOYER)
            .post(
                "/v1/rollouts",
                """
        {"prompt": "pages", "candidateVersion": 2, "checkIntervalSeconds": 1, "startedBy": "mallory",
         "stages": [{"weightBp": 1000, "minJudgements": 100, "minBakeSeconds": 0, "maxBakeSeconds": 600}]}
        """);
    assertThat(started.status()).as(String.valueOf(started.body())).isEqualTo(201);
    String id = started.body().get("id").asText();
    assertThat(
            awaitRollout(id, r -> r.get("state").asText().equals("CANARY")).get("state").asText())
        .isEqualTo("CANARY");

    Page list = page("/ui/rollouts");
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.contentType()).startsWith("text/html");
    assertThat(list.body())
        .contains("href=\"/ui/rollouts/" + id + "\"", "CANARY", "v2 vs v1", "10%")
        .as("the list updates itself by script, not by reloading")
        .contains("/ui/assets/list.js")
        .doesNotContain("http-equiv=\"refresh\"");
    assertThat(page("/ui/rollouts?prompt=pages&state=CANARY").body()).contains(id);
    assertThat(page("/ui/rollouts?prompt=pages&state=PROMOTED").body())
        .doesNotContain("/ui/rollouts/" + id)
        .contains("No rollouts match this filter");

    // The first look at the data (no traffic: insufficient data) gives the verdicts table its rows.
    assertThat(
            awaitRollout(id, r -> r.path("live").path("lastVerdicts").size() > 0)
                .path("live")
                .path("lastVerdicts")
                .size())
        .isPositive();

    // The dashboard's data: the looks read back from the Temporal history, the audit trail, and
    // the controls each role may use.
    JsonNode dashboard = http.as(Role.READER).get("/v1/rollouts/" + id + "/dashboard").body();
    assertThat(dashboard.at("/rollout/state").asText()).isEqualTo("CANARY");
    assertThat(dashboard.path("running").asBoolean()).isTrue();
    assertThat(dashboard.path("stages").findValuesAsText("status")).containsExactly("current");
    assertThat(dashboard.at("/history/error").asText()).isEmpty();
    assertThat(dashboard.at("/history/runs").asInt()).isGreaterThanOrEqualTo(1);
    assertThat(dashboard.at("/history/newest").findValuesAsText("type"))
        .contains("WORKFLOW_EXECUTION_STARTED", "MARKER_RECORDED");
    assertThat(dashboard.at("/history/newest").findValuesAsText("detail"))
        .as("the look, run as a local activity")
        .contains("AnalyseCanary (local activity)");
    assertThat(dashboard.path("gates").findValuesAsText("key")).contains("QUALITY", "LATENCY:p95");
    JsonNode quality = gate(dashboard, "QUALITY");
    assertThat(quality.path("t").size()).isPositive().isEqualTo(quality.path("estimate").size());
    assertThat(quality.path("threshold").get(0).asDouble()).isEqualTo(-0.05);
    assertThat(dashboard.path("samples").path("t").size()).isEqualTo(quality.path("t").size());
    assertThat(dashboard.path("samples").path("required").get(0).asInt()).isEqualTo(100);
    assertThat(dashboard.path("ledger").findValuesAsText("gate")).contains("OVERALL", "QUALITY");
    // A ledger line is flat, as the page's script reads it: the verdict's fields beside at and
    // stage.
    assertThat(dashboard.at("/ledger/0").fieldNames())
        .toIterable()
        .containsExactly(
            "at",
            "stage",
            "gate",
            "decision",
            "decisionClass",
            "canaryN",
            "stableN",
            "estimate",
            "bounds",
            "threshold",
            "reason");
    assertThat(dashboard.path("ledgerTotal").asInt())
        .isGreaterThanOrEqualTo(dashboard.path("ledger").size());
    assertThat(dashboard.path("audit").findValuesAsText("action"))
        .contains("rollout.start", "routing.rollout");
    // The weight chart: 0 at the start, then the stage's 10% from the routing write.
    assertThat(dashboard.at("/weight/y/0").asDouble()).isZero();
    assertThat(dashboard.at("/weight/y/1").asDouble()).isEqualTo(10.0);
    assertThat(dashboard.path("eval").isNull()).isTrue();
    assertThat(dashboard.path("temporalHref").asText())
        .isEqualTo("http://temporal-ui.test:8233/namespaces/default/workflows/" + id);
    assertThat(dashboard.path("actions")).as("a reader may not control").isEmpty();
    assertThat(
            textValues(
                http.as(Role.DEPLOYER)
                    .get("/v1/rollouts/" + id + "/dashboard")
                    .body()
                    .path("actions")))
        .containsExactly("pause", "abort");
    assertThat(
            textValues(
                http.as(Role.ADMIN)
                    .get("/v1/rollouts/" + id + "/dashboard")
                    .body()
                    .path("actions")))
        .containsExactly("pause", "abort", "bypass");
    assertThat(http.as(Role.CLIENT).get("/v1/rollouts/" + id + "/dashboard").status())
        .isEqualTo(403);
    assertThat(http.get("/v1/rollouts/rollout-nope-9/dashboard").status()).isEqualTo(404);

    Page running = page("/ui/rollouts/" + id);
    assertThat(running.status()).isEqualTo(200);
    assertThat(running.contentType()).startsWith("text/html");
    assertThat(running.body())
        .contains(
            id,
            "CANARY",
            "1 / 1",
            "Source: live progress, queried from the workflow",
            "started",
            "stage 1 started")
        .contains("OVERALL", "INSUFFICIENT_DATA", "[-1, 1]")
        .contains("/ui/assets/dashboard.js", "/ui/assets/uPlot.iife.min.js", "id=\"chart-samples\"")
        .contains("href=\"/v1/rollouts/" + id + "/eval\"")
        .contains("href=\"http://temporal-ui.test:8233/namespaces/default/workflows/" + id + "\"")
        .contains("Started by</dt><dd>test-deployer")
        .doesNotContain("mallory");

    // Each role sees only the controls it may use (the API checks the role again).
    assertThat(running.body()).doesNotContain("class=\"controls\"");
    Page asDeployer = page("/ui/rollouts/" + id, TestKeys.key(DB, Role.DEPLOYER));
    assertThat(asDeployer.body())
        .contains("class=\"controls\"", "data-action=\"pause\"", "data-action=\"abort\"")
        .doesNotContain("data-action=\"bypass\"")
        .as("approve only while the rollout awaits an approval (ApprovalEndToEndTest)")
        .doesNotContain("data-action=\"approve\"");
    assertThat(page("/ui/rollouts/" + id, TestKeys.key(DB, Role.ADMIN)).body())
        .contains("data-action=\"bypass\"", "test-admin (admin)");

    assertThat(running.body())
        .as("the pause reason's place, hidden until a pause")
        .contains("<dt id=\"paused-label\" hidden>Paused because</dt>");
    Reply paused =
        http.post(
            "/v1/rollouts/" + id + "/pause",
            "{\"reason\": %s}"
                .formatted(
                    new com.fasterxml.jackson.databind.ObjectMapper()
                        .writeValueAsString(PAUSE_REASON)));
    assertThat(paused.status()).as(String.valueOf(paused.body())).isEqualTo(200);
    assertThat(page("/ui/rollouts/" + id).body())
        .contains(
            "PAUSED",
            "<dt id=\"paused-label\">Paused because</dt>",
            "a person paused it; resume goes on with the stage&#39;s data")
        .contains("&lt;script&gt;alert(&#39;paused&#39;)&lt;/script&gt; &amp; co")
        .doesNotContain("<script>alert");

    Reply aborted =
        http.post(
            "/v1/rollouts/" + id + "/abort",
            """
        {"actor": "ana", "reason": %s}"""
                .formatted(
                    new com.fasterxml.jackson.databind.ObjectMapper()
                        .writeValueAsString(ABORT_REASON)));
    assertThat(aborted.status()).as(String.valueOf(aborted.body())).isEqualTo(200);
    awaitRollout(id, r -> r.get("state").asText().equals("ABORTED"));

    JsonNode endedDashboard = http.get("/v1/rollouts/" + id + "/dashboard").body();
    assertThat(endedDashboard.path("running").asBoolean()).isFalse();
    assertThat(endedDashboard.path("actions")).isEmpty();
    assertThat(endedDashboard.path("stages").findValuesAsText("status")).containsExactly("stopped");
    assertThat(endedDashboard.path("audit").findValuesAsText("reason"))
        .contains(PAUSE_REASON, ABORT_REASON);
    assertThat(
            endedDashboard
                .at("/weight/y")
                .get(endedDashboard.at("/weight/y").size() - 1)
                .asDouble())
        .as("aborted: the candidate serves nothing")
        .isZero();

    Page ended = page("/ui/rollouts/" + id);
    assertThat(ended.status()).isEqualTo(200);
    assertThat(ended.body())
        .contains("ABORTED", "aborted", "Source: last checkpoint in PostgreSQL")
        .contains("&lt;img src=x onerror=alert(1)&gt; &quot;quoted&quot;")
        .doesNotContain("<img");
    assertThat(page("/ui/rollouts").body())
        .contains("&lt;img src=x onerror=alert(1)&gt;")
        .doesNotContain("<img");

    Page prompt = page("/ui/prompts/pages");
    assertThat(prompt.status()).isEqualTo(200);
    assertThat(prompt.body())
        .contains("Prompt pages", "v1", "v2", "stable", "href=\"/ui/rollouts/" + id + "\"");
  }

  @Test
  void withoutAKeyAPageAsksForOneAndAClientKeyMayNotRead() {
    Page noKey = page("/ui/rollouts", null);
    assertThat(noKey.status()).isEqualTo(401);
    assertThat(noKey.contentType()).startsWith("text/html");
    assertThat(noKey.body()).contains("id=\"key-form\"", "localStorage", "Bearer");
    Page revokedOrWrong = page("/ui/rollouts/anything", "pck_not-a-key");
    assertThat(revokedOrWrong.status()).isEqualTo(401);
    assertThat(revokedOrWrong.body()).doesNotContain("anything");
    Page client = page("/ui/rollouts", TestKeys.key(DB, Role.CLIENT));
    assertThat(client.status()).isEqualTo(403);
    assertThat(client.body()).contains("may not read these pages");
  }

  @Test
  void unknownThingsAreHtmlErrorsNotFailures() {
    Page unknown = page("/ui/rollouts/rollout-%3Cb%3Enope");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.contentType()).startsWith("text/html");
    assertThat(unknown.body()).contains("Not found", "rollout-&lt;b&gt;nope").doesNotContain("<b>");
    Page elsewhere = page("/ui/rollouts/a/b");
    assertThat(elsewhere.status()).isEqualTo(404);
    assertThat(elsewhere.contentType()).startsWith("text/html");

    assertThat(page("/ui/prompts/nope").status()).isEqualTo(404);

    // The dashboard's files: served without a key from the class path; nothing else is.
    Response uplot =
        APP.client()
            .target("http://localhost:" + APP.getLocalPort() + "/ui/assets/uPlot.iife.min.js")
            .request()
            .get();
    assertThat(uplot.getStatus()).isEqualTo(200);
    assertThat(uplot.getHeaderString("Content-Type")).startsWith("text/javascript");
    assertThat(uplot.readEntity(String.class)).contains("uPlot");
    Response script =
        APP.client()
            .target("http://localhost:" + APP.getLocalPort() + "/ui/assets/dashboard.js")
            .request()
            .get();
    assertThat(script.readEntity(String.class))
        .contains("/dashboard", "textContent")
        .doesNotContain("https://", "http://");
    Response other =
        APP.client()
            .target("http://localhost:" + APP.getLocalPort() + "/ui/assets/..%2Fpom.xml")
            .request()
            .get();
    assertThat(other.getStatus()).isIn(400, 404, 422);
    assertThat(
            APP.client()
                .target("http://localhost:" + APP.getLocalPort() + "/ui/assets/nothing.js")
                .request()
                .get()
                .getStatus())
        .isEqualTo(404);
    Page badState = page("/ui/rollouts?state=%3Cb%3E");
    assertThat(badState.status()).isEqualTo(400);
    assertThat(badState.contentType()).startsWith("text/html");
    assertThat(badState.body()).contains("state must be one of");
  }
}
