package dev.promptcanary.devstack.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A small JSON-over-HTTP client for one base URL, as an app would use against promptcanary or a
 * model API.
 */
public final class JsonHttp {
  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient client;
  private final String base;
  private final Duration timeout;
  private final String bearer;

  /** An answer: status and parsed body ({@link NullNode} when the body is empty or not JSON). */
  public record Reply(int status, JsonNode body) {
    public boolean ok() {
      return status / 100 == 2;
    }
  }

  /** A non-2xx answer where one was required. */
  public static final class HttpError extends IOException {
    private final int status;

    HttpError(String what, int status, JsonNode body) {
      super(what + " answered " + status + ": " + body);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  public JsonHttp(URI base, Duration timeout) {
    this(base, timeout, null);
  }

  /** As above, sending {@code bearer} (an API key, or a model API's key) on every request. */
  public JsonHttp(URI base, Duration timeout, String bearer) {
    this.bearer = bearer;
    String b = base.toString();
    this.base = b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
    this.timeout = timeout;
    this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  public String url(String path) {
    return base + path;
  }

  public Reply send(String method, String path, JsonNode body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url(path)))
            .timeout(timeout)
            .header("Accept", "application/json");
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
    }
    HttpResponse<String> response =
        client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(response.statusCode(), parse(response.body()));
  }

  /** GET that must answer 2xx. */
  public JsonNode get(String path) throws IOException, InterruptedException {
    return require("GET " + path, send("GET", path, null));
  }

  /** POST that must answer 2xx. */
  public JsonNode post(String path, JsonNode body) throws IOException, InterruptedException {
    return require("POST " + path, send("POST", path, body));
  }

  private static JsonNode require(String what, Reply reply) throws HttpError {
    if (!reply.ok()) {
      throw new HttpError(what, reply.status(), reply.body());
    }
    return reply.body();
  }

  private static JsonNode parse(String text) {
    if (text == null || text.isBlank()) {
      return NullNode.getInstance();
    }
    try {
      return JSON.readTree(text);
    } catch (IOException notJson) {
      return JSON.getNodeFactory().textNode(text);
    }
  }
}
