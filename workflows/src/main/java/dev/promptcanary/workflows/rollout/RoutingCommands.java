package dev.promptcanary.workflows.rollout;

/**
 * The rollout's routing writes. Each carries the next fence sequence ({@link RoutingCommand}); the
 * first one claims the prompt's routing, promotion and rollback release it.
 */
final class RoutingCommands {
  private final String rolloutId;
  private final RolloutSpec spec;
  private final RolloutMemory memory;

  RoutingCommands(String rolloutId, RolloutSpec spec, RolloutMemory memory) {
    this.rolloutId = rolloutId;
    this.spec = spec;
    this.memory = memory;
  }

  /** The current stage's weight. */
  RoutingCommand enterStage(int weightBp) {
    return new RoutingCommand(
        rolloutId,
        spec.prompt(),
        !memory.routingClaimed(),
        false,
        memory.routingSequence + 1,
        spec.baselineVersion(),
        spec.candidateVersion(),
        weightBp,
        "stage " + (memory.stageIndex + 1) + " of " + spec.stages().size());
  }

  /** More weight within a stage, so an extension can decide. */
  RoutingCommand raise(int weightBp) {
    return new RoutingCommand(
        rolloutId,
        spec.prompt(),
        false,
        false,
        memory.routingSequence + 1,
        spec.baselineVersion(),
        spec.candidateVersion(),
        weightBp,
        "more weight for the extension");
  }

  /** Every request back to the baseline version. */
  RoutingCommand rollback() {
    return new RoutingCommand(
        rolloutId,
        spec.prompt(),
        false,
        true,
        memory.routingSequence + 1,
        spec.baselineVersion(),
        null,
        0,
        "rollback");
  }

  /** The candidate version becomes stable. */
  RoutingCommand promote(boolean bypass) {
    return new RoutingCommand(
        rolloutId,
        spec.prompt(),
        !memory.routingClaimed(),
        true,
        memory.routingSequence + 1,
        spec.candidateVersion(),
        null,
        0,
        bypass ? "emergency bypass" : "promotion");
  }
}
