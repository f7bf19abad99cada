package dev.promptcanary.sdk;

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
    StickySplit.Choice choice = split.choose(unit, pin);
    return new Resolved(
        routing.prompt(),
        choice.version(),
        choice.canary() ? Arm.CANARY : Arm.STABLE,
        choice.bucket(),
        routing.canaryWeightBp(),
        routing.rolloutId(),
        choice.pinned(),
        choice.pinDropped(),
        choice.pinDroppedNote(),
        choice.canary() ? canary : stable,
        unit);
  }
}
