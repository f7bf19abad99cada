package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.promptcanary.activities.store.TestDatabases;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import dev.promptcanary.api.auth.Role;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The requests the 1,000-try fuzz saw go unanswered (docs/benchmarks.md, fuzz): a request that is
 * refused before its body is needed (a path Jetty or the API refuses, a NUL in the path, a body
 * over the limit, a body that does not parse) must still be answered in the error shape, and its
 * body read, so the connection stays usable for the next request. Before the fix the server
 * answered such a request early and closed the connection while the client was still sending: the
 * JDK client saw a broken pipe or EOF and no answer.
 *
 * <p>Each request is sent on a raw socket followed by a pipelined {@code GET /v1/ping}: both must
 * be answered on that one connection, which holds only when the refused request's body was read (an
 * early close loses the ping; an unread body is parsed as the next request). The same requests are
 * also sent repeatedly with the JDK client the fuzz uses.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class RefusedRequestConnectionTest {
  private static final TestDatabase DB = TestDatabases.fresh();
  private static final long LIMIT = 256 * 1024;
  static final DropwizardAppExtension<PromptCanaryConfiguration> APP =
      TestApps.api(DB, c -> c.getLimits().setMaxRequestBytes(LIMIT));
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String Z = "z".repeat(200_000);

  /**
   * One refused request; {@code parserRefuses} when Jetty's HTTP parser refuses it (an encoded NUL
   * in the path, which Jetty refuses whatever its URI compliance), so the connection cannot be kept
   * and the answer must say {@code Connection: close}.
   */
  record Case(String method, String path, String body, String field, boolean parserRefuses) {
    Case(String method, String path, String body, String field) {
      this(method, path, body, field, false);
    }

    @Override
    public String toString() {
      return method + " " + path + " (" + body.length() + " bytes)";
    }
  }

  static Stream<Arguments> refused() {
    List<Case> cases =
        List.of(
            // The three requests of the 1,000-try run, as jqwik reported them.
            new Case(
                "PUT",
                "/v1/prompts/%2e%2e/routing",
                "{\"stableVersion\":\"" + Z + "\",\"canaryVersion\":2}",
                "path"),
            new Case("POST", "/v1/keys/%00/rotate", "{\"reason\":\"" + Z + "\"}", "request", true),
            new Case("POST", "/v1/judgements", "{\"judgements\":[\"" + Z + "\"]}", "judgements[0]"),
            // Their relatives: other segments Jetty refuses, NUL elsewhere, a body over the limit.
            new Case("PUT", "/v1/prompts/a%2Fb/routing", "{\"reason\":\"" + Z + "\"}", "path"),
            new Case("POST", "/v1/prompts/%C3%28/versions", "{\"model\":\"" + Z + "\"}", "path"),
            new Case("POST", "/v1/rollouts/%FF/pause", "{\"reason\":\"" + Z + "\"}", "path"),
            new Case(
                "POST", "/v1/rollouts/a%00b/abort", "{\"reason\":\"" + Z + "\"}", "request", true),
            new Case("POST", "/v1/observations?x=%00", "{\"observations\":[]," + pad() + "}", "x"),
            new Case(
                "POST",
                "/v1/observations",
                "{\"observations\":[],\"" + "z".repeat((int) LIMIT) + "\":1}",
                "body"));
    return cases.stream().map(Arguments::of);
  }

  private static String pad() {
    return "\"pad\":\"" + Z + "\"";
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void aRefusedRequestIsAnsweredAndItsConnectionStaysUsable(Case request) throws Exception {
    long rows = Rows.total(DB.jdbi());
    byte[] body = request.body().getBytes(StandardCharsets.UTF_8);
    String head =
        request.method()
            + " "
            + request.path()
            + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            + "Authorization: Bearer "
            + TestKeys.key(DB, Role.ADMIN)
            + "\r\nContent-Length: "
            + body.length
            + "\r\n\r\n";
    String ping = "GET /v1/ping HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

    List<RawReply> replies = exchange(head, body, ping);

    RawReply refusal = replies.get(0);
    if (request.parserRefuses()) {
      assertThat(replies).as(request + ": answered once, then closed").hasSize(1);
      assertThat(refusal.header("connection")).isEqualToIgnoringCase("close");
    } else {
      assertThat(replies).as(request + " then a ping on the same connection").hasSize(2);
      assertThat(replies.get(1).status()).as("the ping after " + request).isEqualTo(200);
    }
    assertThat(refusal.status()).as(request + ": " + refusal.body()).isBetween(400, 499);
    assertThat(refusal.header("content-type")).startsWith("application/json");
    JsonNode error = JSON.readTree(refusal.body());
    assertThat(error.path("code").asInt()).isEqualTo(refusal.status());
    assertThat(error.path("message").isTextual()).isTrue();
    assertThat(error.path("field").asText()).as(refusal.body()).isEqualTo(request.field());
    assertThat(Rows.total(DB.jdbi())).as(request + " wrote rows").isEqualTo(rows);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void theFuzzClientGetsAnAnswerEveryTime(Case request) throws Exception {
    // Not fixed, so not asserted here (docs/benchmarks.md, fuzz): Jetty's URI parser refuses an
    // encoded NUL before anything of ours runs and then closes at once; a client still sending a
    // large body can lose that answer (seen once under load 40). The raw-socket test above asserts
    // what does hold: the answer is sent, in the shape, with Connection: close.
    org.junit.jupiter.api.Assumptions.assumeFalse(
        request.parserRefuses(), "known gap: an encoded NUL in the path with a large body");
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    for (int i = 0; i < 10; i++) {
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(
                      URI.create("http://localhost:" + APP.getLocalPort() + request.path()))
                  .timeout(Duration.ofSeconds(60))
                  .header("Content-Type", "application/json")
                  .header("Authorization", "Bearer " + TestKeys.key(DB, Role.ADMIN))
                  .method(request.method(), HttpRequest.BodyPublishers.ofString(request.body()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(request + ": " + response.body()).isBetween(400, 499);
      assertThat(JSON.readTree(response.body()).path("field").asText()).isEqualTo(request.field());
    }
  }

  record RawReply(int status, List<String> headers, String body) {
    String header(String name) {
      String prefix = name.toLowerCase(Locale.ROOT) + ":";
      return headers.stream()
          .filter(h -> h.toLowerCase(Locale.ROOT).startsWith(prefix))
          .map(h -> h.substring(prefix.length()).trim())
          .findFirst()
          .orElse("");
    }
  }

  /**
   * Sends {@code head}, {@code body} and {@code next} on one connection (writing from another
   * thread, so a server that stops reading cannot block the test) and reads every response until
   * the server closes.
   */
  private static List<RawReply> exchange(String head, byte[] body, String next) throws IOException {
    try (Socket socket = new Socket("localhost", APP.getLocalPort())) {
      socket.setSoTimeout(60_000);
      OutputStream out = socket.getOutputStream();
      CompletableFuture<Void> writing =
          CompletableFuture.runAsync(
              () -> {
                try {
                  out.write(head.getBytes(StandardCharsets.ISO_8859_1));
                  out.write(body);
                  out.write(next.getBytes(StandardCharsets.ISO_8859_1));
                  out.flush();
                } catch (IOException e) {
                  // The server closed early: the replies read below show what it answered.
                }
              });
      byte[] received;
      try {
        received = readUntilClosed(socket.getInputStream());
      } finally {
        writing.join();
      }
      return parse(received);
    }
  }

  private static byte[] readUntilClosed(InputStream in) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        all.write(buffer, 0, n);
      }
    } catch (IOException e) {
      // A reset after an early close: keep what arrived before it.
    }
    return all.toByteArray();
  }

  /** HTTP/1.1 responses with a Content-Length, one after the other. */
  private static List<RawReply> parse(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    List<RawReply> replies = new ArrayList<>();
    int at = 0;
    while (at < text.length()) {
      int end = text.indexOf("\r\n\r\n", at);
      if (end < 0) {
        break;
      }
      String[] lines = text.substring(at, end).split("\r\n");
      int status = Integer.parseInt(lines[0].split(" ")[1]);
      List<String> headers = List.of(lines).subList(1, lines.length);
      RawReply headOnly = new RawReply(status, headers, "");
      String length = headOnly.header("content-length");
      int bodyLength = length.isEmpty() ? 0 : Integer.parseInt(length);
      int bodyStart = end + 4;
      String body =
          new String(
              bytes,
              bodyStart,
              Math.min(bodyLength, bytes.length - bodyStart),
              StandardCharsets.UTF_8);
      replies.add(new RawReply(status, headers, body));
      at = bodyStart + bodyLength;
    }
    return replies;
  }
}
