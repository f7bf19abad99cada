package dev.promptcanary.activities.rollout;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Where a person reading an alert can look: the rollout's page under the API's public address and
 * its workflow in Temporal UI. Either base may be empty, and then that link is left out.
 */
public record AlertLinks(String apiBaseUrl, String temporalUiUrl, String namespace) {
  public static final AlertLinks NONE = new AlertLinks("", "", "default");

  public AlertLinks {
    apiBaseUrl = trimSlash(apiBaseUrl);
    temporalUiUrl = trimSlash(temporalUiUrl);
    namespace = namespace == null || namespace.isBlank() ? "default" : namespace;
  }

  public String rolloutPage(String rolloutId) {
    return apiBaseUrl.isEmpty() ? null : apiBaseUrl + "/ui/rollouts/" + encode(rolloutId);
  }

  public String temporalWorkflow(String rolloutId) {
    return temporalUiUrl.isEmpty()
        ? null
        : temporalUiUrl + "/namespaces/" + encode(namespace) + "/workflows/" + encode(rolloutId);
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String trimSlash(String url) {
    if (url == null) {
      return "";
    }
    String stripped = url.strip();
    return stripped.endsWith("/") ? stripped.substring(0, stripped.length() - 1) : stripped;
  }
}
