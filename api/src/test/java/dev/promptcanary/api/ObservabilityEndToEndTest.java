package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.promptcanary.activities.rollout.AlertSender;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import dev.promptcanary.api.TestApps.Http;
import dev.promptcanary.api.observability.PrometheusMetrics;
import dev.promptcanary.testkit.ModelSimulator;
import dev.promptcanary.workflows.rollout.WebhookFormat;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.StringJoiner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The "Observability" promises on the embedded stack (API and worker in one process, Temporal's
 * test server, real PostgreSQL, the simulator as live judge): after a small rollout rolled back by
 * its traffic and one aborted, a scrape of the admin port's Prometheus endpoint, parsed, shows
 * every promised metric family with the labels and counts that traffic implies, the Temporal SDK's
 * among them; the rollout's signed webhook and the configured default (Slack) webhook received
 * alerts whose signatures a receiver verifies; and the alert activity's log line carries the
 * rollout's MDC.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ObservabilityEndToEndTest {
  static final String ROLLOUT_SECRET = "rollout-secret-0123456789";
  static final String DEFAULT_SECRET = "default-secret-9876543210";
  static final WebhookReceiver HOOKS =
      WebhookReceiver.start(Map.of("/rollout", ROLLOUT_SECRET, "/default", DEFAULT_SECRET));
  static final EmbeddedStack APP =
      EmbeddedStack.withModels(
          config -> {
            config.getAlerts().getDefaultWebhook().setUrl(HOOKS.url("/default"));
            config.getAlerts().getDefaultWebhook().setSecret(DEFAULT_SECRET);
            config.getAlerts().getDefaultWebhook().setFormat(WebhookFormat.SLACK);
            config.getAlerts().setPublicUrl("http://canary.example");
            config.getTemporal().setUiUrl("http://temporal-ui.example");
          });
  static final ModelSimulator SIM = APP.simulator();
  static final TestDatabase DB = APP.db();
  static final ObjectMapper JSON = new ObjectMapper();

  final Http http = new Http(APP);

  @AfterAll
  static void stop() {
    HOOKS.close();
  }

  @Test
  void aScrapeAfterASmallRolloutShowsEveryPromisedMetricAndBothWebhooksGotSignedAlerts()
      throws Exception {
    CapturedLog alertLog = CapturedLog.of(AlertSender.class);

    versions("signed");
    versions("defaulted");
    String signed =
        start(
            """
            {"prompt": "signed", "candidateVersion": 2, "checkIntervalSeconds": 1,
             "stages": [{"weightBp": 5000, "minJudgements": 50, "minBakeSeconds": 0, "maxBakeSeconds": 600}],
             "gates": {"latency": {"margin": 0.08}}, "inconclusivePolicy": "ROLLBACK",
             "alertWebhook": "%s", "alertWebhookSecret": "%s", "startedBy": "obs-test"}"""
                .formatted(HOOKS.url("/rollout"), ROLLOUT_SECRET));
    String defaulted =
        start(
            """
            {"prompt": "defaulted", "candidateVersion": 2, "startedBy": "obs-test"}""");
    // The secret is write-only: no read shows it.
    JsonNode view = http.get("/v1/rollouts/" + signed).body();
    assertThat(view.toString()).doesNotContain(ROLLOUT_SECRET);
    assertThat(view.get("spec").get("alertWebhookSecret").isNull()).isTrue();

    awaitState(signed, "CANARY");
    long deadline = System.currentTimeMillis() + 60_000;
    for (int round = 0; System.currentTimeMillis() < deadline; round++) {
      traffic("signed", 200, -0.10, round);
      if (!state(signed).equals("CANARY")) {
        break;
      }
    }
    awaitState(signed, "ROLLED_BACK");
    assertThat(
            http.post(
                    "/v1/rollouts/" + defaulted + "/abort",
                    "{\"actor\": \"obs-test\", \"reason\": \"checking the default webhook\"}")
                .status())
        .isEqualTo(200);
    awaitState(defaulted, "ABORTED");
    // One batch rejected whole (an unknown version), and transcripts for the live judge.
    assertThat(
            http.post(
                    "/v1/observations",
                    observation("bad-1", "signed", 9, "u-bad", 100, Instant.now()).wrap())
                .status())
        .isEqualTo(422);
    assertThat(http.post("/v1/transcripts", transcripts("signed", 3)).status()).isEqualTo(202);

    // Webhooks: each alert arrives twice (the receiver refuses first attempts), always signed.
    List<WebhookReceiver.Delivery> rolloutHooks =
        await("signed rollback alert")
            .atMost(Duration.ofSeconds(30))
            .until(() -> accepted(HOOKS.deliveries("/rollout")), l -> !l.isEmpty());
    assertThat(HOOKS.deliveries("/rollout")).allMatch(WebhookReceiver.Delivery::valid);
    JsonNode rollback = JSON.readTree(rolloutHooks.get(0).body());
    assertThat(rollback.get("rolloutId").asText()).isEqualTo(signed);
    assertThat(rollback.get("state").asText()).isEqualTo("ROLLED_BACK");
    List<WebhookReceiver.Delivery> defaultHooks =
        await("aborted alert to the default webhook")
            .atMost(Duration.ofSeconds(30))
            .until(() -> accepted(HOOKS.deliveries("/default")), l -> !l.isEmpty());
    assertThat(HOOKS.deliveries("/default")).allMatch(WebhookReceiver.Delivery::valid);
    JsonNode slack = JSON.readTree(defaultHooks.get(0).body());
    assertThat(slack.get("text").asText()).contains("defaulted v2").contains("ABORTED");
    assertThat(slack.get("blocks").toString())
        .contains("checking the default webhook")
        .contains("http://canary.example/ui/rollouts/" + defaulted)
        .contains("http://temporal-ui.example/namespaces/default/workflows/" + defaulted);

    // MDC on the alert activity's log line.
    assertThat(alertLog.lines())
        .filteredOn(e -> e.getFormattedMessage().contains("for rollout " + signed))
        .isNotEmpty()
        .allSatisfy(
            e ->
                assertThat(e.getMDCPropertyMap())
                    .containsEntry("rolloutId", signed)
                    .containsEntry("prompt", "signed")
                    .containsEntry("version", "2"));

    String url = "http://localhost:" + APP.getAdminPort() + PrometheusMetrics.PATH;
    // Rollouts by state are read at most every 5 s; Temporal's meters reach the registry each 1 s.
    PrometheusScrape scrape =
        await("rollout states in the scrape")
            .atMost(Duration.ofSeconds(20))
            .pollInterval(Duration.ofMillis(500))
            .until(
                () -> PrometheusScrape.of(url),
                s ->
                    s.family("promptcanary_rollouts").isPresent()
                        && s.total("promptcanary_rollouts", "state", "ABORTED") == 1
                        && s.family("temporal_workflow_task_schedule_to_start_latency_seconds")
                            .isPresent());
    assertThat(scrape.total("promptcanary_rollouts", "state", "ROLLED_BACK")).isEqualTo(1);
    assertThat(scrape.total("promptcanary_rollouts", "state", "CANARY")).isZero();

    // Resolve rate and latency, ingest rate, batch sizes, items and rejects.
    double resolves =
        scrape.total(
            "promptcanary_http_requests_seconds",
            "route",
            "/v1/prompts/{name}/resolve",
            "status",
            "200");
    assertThat(resolves).isGreaterThanOrEqualTo(200);
    assertThat(
            scrape.total(
                "promptcanary_http_requests_seconds", "route", "/v1/observations", "status", "422"))
        .isEqualTo(1);
    assertThat(scrape.total("promptcanary_ingest_batch_size_items", "kind", "observations"))
        .isGreaterThanOrEqualTo(2);
    assertThat(
            scrape.total(
                "promptcanary_ingest_items_total", "kind", "observations", "result", "accepted"))
        .isEqualTo(resolves);
    assertThat(
            scrape.total(
                "promptcanary_ingest_rejected_total", "kind", "observations", "status", "422"))
        .isEqualTo(1);

    // Judge queue depth, drops and failures.
    assertThat(scrape.family("promptcanary_judge_queue_depth")).isPresent();
    assertThat(scrape.total("promptcanary_judge_transcripts_total", "result", "accepted"))
        .isEqualTo(3);
    assertThat(scrape.labelValues("promptcanary_judge_transcripts_total", "result"))
        .contains("accepted", "dropped", "judged");
    assertThat(scrape.labelValues("promptcanary_judge_failures_total", "kind"))
        .contains("judge", "write");

    // Looks and verdicts per gate, the stage's time to decision, routing propagation lag.
    assertThat(scrape.total("promptcanary_looks_total")).isGreaterThanOrEqualTo(1);
    assertThat(
            scrape.total(
                "promptcanary_verdicts_total", "gate", "QUALITY", "decision", "REGRESSION"))
        .isGreaterThanOrEqualTo(1);
    assertThat(scrape.labelValues("promptcanary_verdicts_total", "gate"))
        .contains("QUALITY", "ERROR_RATE", "LATENCY", "SAMPLE_RATIO");
    assertThat(
            scrape.total(
                "promptcanary_stage_decision_seconds", "outcome", "ROLLED_BACK", "stage", "1"))
        .isEqualTo(1);
    assertThat(scrape.total("promptcanary_routing_propagation_seconds")).isGreaterThanOrEqualTo(2);

    // Webhook deliveries: every first attempt failed, every retry was delivered.
    assertThat(
            scrape.total(
                "promptcanary_webhook_deliveries_total", "format", "json", "result", "failed"))
        .isGreaterThanOrEqualTo(1);
    assertThat(
            scrape.total(
                "promptcanary_webhook_deliveries_total", "format", "slack", "result", "delivered"))
        .isGreaterThanOrEqualTo(1);

    // The Temporal SDK's: workflow task latency, schedule-to-start, pollers.
    assertThat(scrape.total("temporal_workflow_task_schedule_to_start_latency_seconds"))
        .isGreaterThan(0);
    assertThat(scrape.total("temporal_workflow_task_execution_latency_seconds")).isGreaterThan(0);
    assertThat(scrape.total("temporal_activity_schedule_to_start_latency_seconds"))
        .isGreaterThan(0);
    assertThat(scrape.family("temporal_num_pollers")).isPresent();
    assertThat(scrape.family("temporal_worker_task_slots_available")).isPresent();

    // The text format, as Prometheus scrapes by default, names the same families.
    HttpResponse<String> text =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(text.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    assertThat(text.body())
        .contains("# TYPE promptcanary_looks_total counter")
        .contains("# TYPE promptcanary_http_requests_seconds histogram")
        .contains("# TYPE temporal_workflow_task_schedule_to_start_latency_seconds");
  }

  private static List<WebhookReceiver.Delivery> accepted(List<WebhookReceiver.Delivery> all) {
    // A delivery the receiver took is one whose key it had already seen (the retry).
    return all.stream()
        .filter(
            d ->
                all.stream().filter(o -> o.idempotencyKey().equals(d.idempotencyKey())).count() > 1)
        .toList();
  }

  private void versions(String prompt) {
    assertThat(http.post("/v1/prompts/" + prompt + "/versions", TestApps.version(1)).status())
        .isEqualTo(201);
    assertThat(http.post("/v1/prompts/" + prompt + "/versions", TestApps.version(2)).status())
        .isEqualTo(201);
  }

  private String start(String body) {
    TestApps.Http.Reply started = http.post("/v1/rollouts", body);
    assertThat(started.status()).as(String.valueOf(started.body())).isEqualTo(201);
    return started.body().get("id").asText();
  }

  private String state(String id) {
    return http.get("/v1/rollouts/" + id).body().get("state").asText();
  }

  private void awaitState(String id, String expected) {
    await(id + " " + expected)
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> state(id), expected::equals);
  }

  private record Item(String json) {
    String wrap() {
      return "{\"observations\": [" + json + "]}";
    }
  }

  private static Item observation(
      String requestId, String prompt, int version, String unit, double latency, Instant at) {
    return new Item(
        """
        {"requestId":"%s","prompt":"%s","version":%d,"unit":"%s","latencyMs":%.1f,"inputTokens":300,
         "outputTokens":100,"cost":0.0004,"error":false,"safetyFlag":false,"observedAt":"%s"}"""
            .formatted(requestId, prompt, version, unit, latency, at));
  }

  /** {@code sessions} sessions resolve and report one request each; v2's scores shifted. */
  private void traffic(String prompt, int sessions, double candidateShift, long seed) {
    Random random = new Random(seed);
    StringJoiner observations = new StringJoiner(",", "{\"observations\":[", "]}");
    StringJoiner judgements = new StringJoiner(",", "{\"judgements\":[", "]}");
    for (int i = 0; i < sessions; i++) {
      String unit = prompt + "-s-" + seed + "-" + i;
      int version =
          http.get("/v1/prompts/" + prompt + "/resolve?unit=" + unit).body().get("version").asInt();
      double score =
          Math.max(
              0,
              Math.min(1, 0.8 + random.nextGaussian() * 0.1 + (version == 2 ? candidateShift : 0)));
      Instant at = Instant.now();
      observations.add(
          observation(unit + "-r", prompt, version, unit, 400 + random.nextDouble() * 400, at)
              .json());
      judgements.add(
          """
          {"requestId":"%s","prompt":"%s","version":%d,"judge":"sim-judge","score":%.4f,"judgedAt":"%s"}"""
              .formatted(unit + "-r", prompt, version, score, at));
    }
    assertThat(http.post("/v1/observations", observations.toString()).status()).isEqualTo(200);
    assertThat(http.post("/v1/judgements", judgements.toString()).status()).isEqualTo(200);
  }

  private static String transcripts(String prompt, int n) {
    StringJoiner joiner = new StringJoiner(",", "{\"transcripts\":[", "]}");
    for (int i = 0; i < n; i++) {
      joiner.add(
          "{\"requestId\":\"t-%d\",\"prompt\":\"%s\",\"version\":1,\"unit\":\"u-t\",\"input\":\"Where is my order?\",\"output\":\"It ships today. [sim-quality=0.8]\"}"
              .formatted(i, prompt));
    }
    return joiner.toString();
  }
}
