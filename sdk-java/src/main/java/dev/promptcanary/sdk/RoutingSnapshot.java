package dev.promptcanary.sdk;

import java.util.List;

/** Every prompt's routing at one moment, and the ETag the server gave it. */
public record RoutingSnapshot(String etag, List<RoutedPrompt> prompts) {
  public RoutingSnapshot {
    prompts = prompts == null ? List.of() : List.copyOf(prompts);
  }
}
