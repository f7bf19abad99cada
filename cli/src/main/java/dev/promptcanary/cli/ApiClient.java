package dev.promptcanary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The REST API over the JDK's HttpClient: JSON in, JSON out, the API key as the Bearer header.
 * Every answer that is not a 2xx becomes an {@link ApiError} carrying the server's {@code message}
 * and {@code field}.
 */
public final class ApiClient {
  public static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;
  private final URI base;
  private final String apiKey;
  private final Duration timeout;

  /**
   * @param base the API's address, e.g. {@code http://localhost:8080}
   * @param apiKey the key to send, or null/blank for none (the server then answers 401)
   */
  public ApiClient(URI base, String apiKey, Duration timeout) {
    String text = base.toString();
    this.base = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
    this.apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey.trim();
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  public URI base() {
    return base;
  }

  public JsonNode get(String path) throws ApiError, InterruptedException {
    return send("GET", path, null);
  }

  public JsonNode post(String path, JsonNode body) throws ApiError, InterruptedException {
    return send("POST", path, body);
  }

  /** One path segment, percent-encoded (a name or id typed by a person can hold anything). */
  public static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** A query parameter's value, percent-encoded. */
  public static String query(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  public JsonNode send(String method, String path, JsonNode body)
      throws ApiError, InterruptedException {
    URI uri;
    try {
      uri = URI.create(base + path);
    } catch (IllegalArgumentException e) {
      throw new ApiError(0, "not a valid URL: " + base + path, null);
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json");
    if (apiKey != null) {
      request.header("Authorization", "Bearer " + apiKey);
    }
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      try {
        request
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
      } catch (IOException e) {
        throw new ApiError(0, "cannot write the request body: " + e.getMessage(), null);
      }
    }
    HttpResponse<String> response;
    try {
      response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (ConnectException e) {
      throw new ApiError(
          0,
          "cannot reach promptcanary at "
              + base
              + " (set --url or PROMPTCANARY_URL): connection refused",
          null);
    } catch (HttpTimeoutException e) {
      throw new ApiError(
          0, "no answer from " + base + " within " + timeout.toSeconds() + " s", null);
    } catch (IOException e) {
      throw new ApiError(0, "cannot talk to " + base + ": " + e, null);
    }
    return answer(response.statusCode(), response.body());
  }

  private JsonNode answer(int status, String text) throws ApiError {
    JsonNode json = null;
    if (text != null && !text.isBlank()) {
      try {
        json = JSON.readTree(text);
      } catch (IOException e) {
        json = null;
      }
    }
    if (status >= 200 && status < 300) {
      if (json == null && text != null && !text.isBlank()) {
        throw new ApiError(status, "the server answered something that is not JSON", null);
      }
      return json == null ? JSON.nullNode() : json;
    }
    if (json != null && json.hasNonNull("message")) {
      String field = json.hasNonNull("field") ? json.get("field").asText() : null;
      String message = json.get("message").asText();
      if (status == 401 && apiKey == null) {
        message += " (no API key given: set --api-key or PROMPTCANARY_API_KEY)";
      }
      throw new ApiError(status, message, field);
    }
    String excerpt = text == null ? "" : ApiError.oneLine(text);
    throw new ApiError(
        status,
        "the server answered HTTP "
            + status
            + (excerpt.isEmpty()
                ? ""
                : ": " + (excerpt.length() > 200 ? excerpt.substring(0, 200) + "…" : excerpt)),
        null);
  }
}
