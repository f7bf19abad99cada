package dev.promptcanary.sdk;

/**
 * One prompt's routing with the versions it serves and its hash seed, computed once per change: a
 * resolve is a hash and a comparison, as on the server ({@code Route.resolve}).
 */
final class LocalRoute {
  private final RoutedPrompt routing;
  private final PromptVersion stable;
  private final PromptVersion canary;
  private final int seed;

  LocalRoute(RoutedPrompt routing, PromptVersion stable, PromptVersion canary) {
    this.routing = routing;
    this.stable = stable;
    this.canary = canary;
    this.seed = Buckets.seed(routing.prompt(), routing.salt());
  }

  RoutedPrompt routing() {
    return routing;
  }

  private boolean isCanaryLive() {
    return canary != null && routing.canaryWeightBp() > 0;
  }

  Resolved resolve(String unit, Integer pin) {
    int bucket = Buckets.bucket(seed, unit);
    if (pin != null) {
      if (pin == stable.version()) {
        return resolved(Arm.STABLE, stable, bucket, true, null, unit);
      }
      if (isCanaryLive() && pin == canary.version()) {
        return resolved(Arm.CANARY, canary, bucket, true, null, unit);
      }
    }
    boolean inCanary = isCanaryLive() && bucket < routing.canaryWeightBp();
    PromptVersion served = inCanary ? canary : stable;
    String note =
        pin == null
            ? null
            : "pinned version "
                + pin
                + " is no longer served (rolled back or replaced); now serving version "
                + served.version();
    return resolved(inCanary ? Arm.CANARY : Arm.STABLE, served, bucket, false, note, unit);
  }

  private Resolved resolved(
      Arm arm, PromptVersion served, int bucket, boolean pinned, String note, String unit) {
    return new Resolved(
        routing.prompt(),
        served.version(),
        arm,
        bucket,
        routing.canaryWeightBp(),
        routing.rolloutId(),
        pinned,
        note != null,
        note,
        served,
        unit);
  }
}
