package dev.promptcanary.sdk;

import dev.promptcanary.serving.PromptVersion;
import dev.promptcanary.serving.Resolution;
import dev.promptcanary.serving.RoutedPrompt;
import dev.promptcanary.serving.StickySplit;

/**
 * One prompt's routing with the versions it serves, its split computed once per change: a resolve
 * is a hash and a comparison, made by the same {@link StickySplit} as the server's resolve.
 */
final class LocalRoute {
  private final RoutedPrompt routing;
  private final PromptVersion stable;
  private final PromptVersion canary;
  private final StickySplit split;

  LocalRoute(RoutedPrompt routing, PromptVersion stable, PromptVersion canary) {
    this.routing = routing;
    this.stable = stable;
    this.canary = canary;
    this.split = routing.split();
  }

  RoutedPrompt routing() {
    return routing;
  }

  Resolved resolve(String unit, Integer pin) {
    return new Resolved(
        Resolution.of(
            routing.prompt(),
            routing.canaryWeightBp(),
            routing.rolloutId(),
            split.choose(unit, pin),
            stable,
            canary),
        unit);
  }
}
