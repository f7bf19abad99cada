package dev.promptcanary.cli;

import java.net.URI;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * Where the API is and which key to send: {@code --url}/{@code --api-key}, else {@code
 * PROMPTCANARY_URL}/{@code PROMPTCANARY_API_KEY} (the defaults come from {@link PromptCanaryCli}'s
 * environment).
 */
final class Connection {
  @Option(
      names = "--url",
      paramLabel = "URL",
      description = "the API's address (env PROMPTCANARY_URL; default http://localhost:8080)")
  String url;

  @Option(
      names = "--api-key",
      paramLabel = "KEY",
      description = "the API key sent as the Bearer header (env PROMPTCANARY_API_KEY)")
  String apiKey;

  ApiClient client() throws ApiError {
    String address = url == null || url.isBlank() ? "http://localhost:8080" : url.trim();
    URI uri;
    try {
      uri = URI.create(address);
    } catch (IllegalArgumentException e) {
      throw new ApiError(0, "--url: not a URL: " + address, "--url");
    }
    if (uri.getScheme() == null
        || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
        || uri.getHost() == null) {
      throw new ApiError(0, "--url: expected http://HOST[:PORT], got " + address, "--url");
    }
    return new ApiClient(uri, apiKey, Duration.ofSeconds(30));
  }
}
