package dev.promptcanary.api;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A webhook receiver as a team would write one: it checks the {@code X-PromptCanary-Signature} of
 * every POST against the secret it shares for that path (computed here with the JDK alone, not with
 * promptcanary's code), and answers 503 to the first attempt of each {@code Idempotency-Key}, so
 * every delivery is also a retried one.
 */
final class WebhookReceiver implements AutoCloseable {
  record Delivery(
      String path, String signature, String idempotencyKey, byte[] body, boolean valid) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final HttpServer server;
  private final Map<String, String> secrets;
  private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
  private final Set<String> seenKeys = ConcurrentHashMap.newKeySet();

  private WebhookReceiver(Map<String, String> secretsByPath) {
    this.secrets = Map.copyOf(secretsByPath);
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext(
        "/",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          String path = exchange.getRequestURI().getPath();
          String signature = exchange.getRequestHeaders().getFirst("X-PromptCanary-Signature");
          String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
          String secret = secrets.get(path);
          boolean valid = secret != null && expected(secret, body).equals(signature);
          deliveries.add(new Delivery(path, signature, key, body, valid));
          int status = seenKeys.add(path + " " + key) ? 503 : (valid ? 204 : 401);
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    server.start();
  }

  /** Receives on every path in {@code secretsByPath}, each signed with its secret. */
  static WebhookReceiver start(Map<String, String> secretsByPath) {
    return new WebhookReceiver(secretsByPath);
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  List<Delivery> deliveries(String path) {
    return deliveries.stream().filter(d -> d.path().equals(path)).toList();
  }

  private static String expected(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
