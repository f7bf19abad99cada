package dev.promptcanary.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** The few API calls the benchmarks make to set a server up; each must succeed. */
public final class Api {
  private final HttpClient client = HttpClient.newHttpClient();
  private final String baseUrl;
  private final String key;

  /** Calls sent with the API key {@code key} (the benchmark server's bootstrap admin key). */
  public Api(String baseUrl, String key) {
    this.baseUrl = baseUrl;
    this.key = key;
  }

  public String send(String method, String path, String json) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(baseUrl + path))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + key)
            .method(
                method,
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json))
            .build();
    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IllegalStateException(
          method + " " + path + " answered " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }

  /** Creates a version of {@code prompt}; {@code n} makes its content distinct. */
  public void createVersion(String prompt, int n) throws Exception {
    send(
        "POST",
        "/v1/prompts/" + prompt + "/versions",
        """
        {"systemPrompt": "You are support agent number %d. Answer briefly and politely.",
         "fewShot": [{"user": "Where is my order?", "assistant": "Let me look that up for you."}],
         "template": "Customer %d asks: {{question}}",
         "model": "sim-model",
         "parameters": {"temperature": 0.2, "max_tokens": 256},
         "author": "bench"}
        """
            .formatted(n, n));
  }

  public void setCanary(String prompt, int stable, int canary, int weightBp) throws Exception {
    send(
        "PUT",
        "/v1/prompts/" + prompt + "/routing",
"""
{"stableVersion": %d, "canaryVersion": %d, "canaryWeightBp": %d, "actor": "bench", "reason": "benchmark"}
"""
            .formatted(stable, canary, weightBp));
  }
}
