package dev.promptcanary.activities.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.promptcanary.activities.observability.RolloutMeters;
import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.domain.Verdict;
import dev.promptcanary.workflows.rollout.AlertEvent;
import dev.promptcanary.workflows.rollout.RolloutState;
import dev.promptcanary.workflows.rollout.WebhookFormat;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Alert delivery as a receiver sees it: signature, body shapes, default webhook, failures. */
class AlertSenderTest {
  static final ObjectMapper JSON = new ObjectMapper();

  record Received(String path, String signature, String idempotencyKey, byte[] body) {}

  HttpServer server;
  final List<Received> received = new CopyOnWriteArrayList<>();
  final AtomicInteger status = new AtomicInteger(204);
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final RolloutMeters meters = new RolloutMeters(registry);

  @BeforeEach
  void receiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          received.add(
              new Received(
                  exchange.getRequestURI().getPath(),
                  exchange.getRequestHeaders().getFirst("X-PromptCanary-Signature"),
                  exchange.getRequestHeaders().getFirst("Idempotency-Key"),
                  exchange.getRequestBody().readAllBytes()));
          exchange.sendResponseHeaders(status.get(), -1);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  static AlertEvent rollback(String webhook) {
    return new AlertEvent(
        "rollout-support-3",
        "support",
        3,
        "rolled_back",
        RolloutState.ROLLED_BACK,
        "quality -0.061 [-0.112, -0.010] is below 0: regression <b>",
        new Verdict(
            GateKind.LATENCY,
            Decision.REGRESSION,
            812,
            790,
            0.061,
            0.010,
            0.112,
            0.03,
            "slow",
            "p95",
            false),
        webhook,
        1_700_000_000_000L);
  }

  /** What a receiver computes with the shared secret, with the JDK alone. */
  static String hmac(String secret, byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
  }

  @Test
  void aSecretSignsTheExactBodyBytesAndAReceiverVerifiesThem() throws Exception {
    AlertSender sender = new AlertSender(null, AlertLinks.NONE, meters);
    sender.deliver(
        rollback(url("/hook")),
        new WebhookTarget(url("/hook"), "s3cret-key-for-tests", WebhookFormat.JSON),
        "run-1/7");

    Received got = received.get(0);
    assertThat(got.signature()).isEqualTo(hmac("s3cret-key-for-tests", got.body()));
    assertThat(got.signature()).isNotEqualTo(hmac("another-secret-entirely", got.body()));
    assertThat(WebhookSignature.verify("s3cret-key-for-tests", got.body(), got.signature()))
        .isTrue();
    byte[] tampered =
        new String(got.body(), StandardCharsets.UTF_8)
            .replace("support", "suppord")
            .getBytes(StandardCharsets.UTF_8);
    assertThat(WebhookSignature.verify("s3cret-key-for-tests", tampered, got.signature()))
        .isFalse();
    assertThat(got.idempotencyKey()).isEqualTo("run-1/7");
    JsonNode body = JSON.readTree(got.body());
    assertThat(body.get("rolloutId").asText()).isEqualTo("rollout-support-3");
    assertThat(body.get("verdict").get("gate").asText()).isEqualTo("LATENCY");
    assertThat(
            registry
                .get("promptcanary.webhook.deliveries")
                .tags("format", "json", "result", "delivered")
                .counter()
                .count())
        .isEqualTo(1);
  }

  @Test
  void withoutASecretNothingIsSigned() throws Exception {
    new AlertSender(null, AlertLinks.NONE, meters)
        .deliver(rollback(url("/plain")), new WebhookTarget(url("/plain"), null, null), "k");
    assertThat(received.get(0).signature()).isNull();
  }

  @Test
  void aSlackMessageHasTheReasonTheGateTheStatisticAndLinks() throws Exception {
    AlertSender sender =
        new AlertSender(
            null,
            new AlertLinks("https://canary.example/", "http://localhost:8233", "prod"),
            meters);
    sender.deliver(
        rollback(url("/slack")), new WebhookTarget(url("/slack"), null, WebhookFormat.SLACK), "k");

    JsonNode message = JSON.readTree(received.get(0).body());
    assertThat(message.get("text").asText())
        .isEqualTo(
            "promptcanary: support v3 rolled_back (ROLLED_BACK): quality -0.061 [-0.112, -0.010] is"
                + " below 0: regression <b>");
    JsonNode blocks = message.get("blocks");
    assertThat(blocks.get(0).get("type").asText()).isEqualTo("header");
    assertThat(blocks.get(0).get("text").get("type").asText()).isEqualTo("plain_text");
    assertThat(blocks.get(1).get("text").get("type").asText()).isEqualTo("mrkdwn");
    // Slack's control characters are escaped in mrkdwn.
    assertThat(blocks.get(1).get("text").get("text").asText())
        .isEqualTo("*Reason*\nquality -0.061 [-0.112, -0.010] is below 0: regression &lt;b&gt;");
    JsonNode fields = blocks.get(2).get("fields");
    assertThat(fields).hasSize(4);
    assertThat(fields.get(0).get("text").asText()).isEqualTo("*Gate*\nLATENCY p95");
    assertThat(fields.get(1).get("text").asText()).isEqualTo("*Decision*\nREGRESSION");
    assertThat(fields.get(2).get("text").asText())
        .isEqualTo("*Statistic*\n0.06100 [0.01000, 0.1120], threshold 0.03000");
    assertThat(fields.get(3).get("text").asText()).isEqualTo("*Sample*\ncanary 812, stable 790");
    JsonNode actions = blocks.get(4);
    assertThat(actions.get("type").asText()).isEqualTo("actions");
    assertThat(actions.get("elements").get(0).get("url").asText())
        .isEqualTo("https://canary.example/ui/rollouts/rollout-support-3");
    assertThat(actions.get("elements").get(1).get("url").asText())
        .isEqualTo("http://localhost:8233/namespaces/prod/workflows/rollout-support-3");
    // Every block is one of Slack's types, and every text object names its type.
    for (JsonNode block : blocks) {
      assertThat(block.get("type").asText()).isIn("header", "section", "context", "actions");
    }
  }

  @Test
  void aRolloutWithoutAWebhookGoesToTheDefaultAndOneWithOneToItsOwn() throws Exception {
    WebhookTarget fallback =
        new WebhookTarget(url("/default"), "default-secret-123456", WebhookFormat.SLACK);
    AlertSender sender = new AlertSender(fallback, AlertLinks.NONE, meters);

    assertThat(sender.targetFor(null, "ignored", WebhookFormat.JSON)).isEqualTo(fallback);
    assertThat(sender.targetFor(" ", null, null)).isEqualTo(fallback);
    assertThat(sender.targetFor(url("/own"), "own-secret-1234567", null))
        .isEqualTo(new WebhookTarget(url("/own"), "own-secret-1234567", WebhookFormat.JSON));

    sender.deliver(rollback(null), "k");
    Received got = received.get(0);
    assertThat(got.path()).isEqualTo("/default");
    assertThat(got.signature()).isEqualTo(hmac("default-secret-123456", got.body()));
    assertThat(JSON.readTree(got.body()).has("blocks")).isTrue();
  }

  @Test
  void noWebhookAnywhereOnlyLogs() throws Exception {
    new AlertSender().deliver(rollback(null), "k");
    assertThat(received).isEmpty();
  }

  @Test
  void aRefusedDeliveryThrowsSoTheActivityRetriesAndIsCountedAsFailed() {
    status.set(500);
    AlertSender sender = new AlertSender(null, AlertLinks.NONE, meters);
    assertThatThrownBy(
            () ->
                sender.deliver(
                    rollback(url("/down")), new WebhookTarget(url("/down"), null, null), "k"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("answered 500");
    assertThat(
            registry
                .get("promptcanary.webhook.deliveries")
                .tags("format", "json", "result", "failed")
                .counter()
                .count())
        .isEqualTo(1);
  }
}
