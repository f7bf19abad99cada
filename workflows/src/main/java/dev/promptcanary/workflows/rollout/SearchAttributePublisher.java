package dev.promptcanary.workflows.rollout;

import io.temporal.workflow.Workflow;

/** Puts where a rollout is into its search attributes, so Temporal's list can filter on it. */
final class SearchAttributePublisher {
  private final RolloutSpec spec;
  private final RolloutMemory memory;

  SearchAttributePublisher(RolloutSpec spec, RolloutMemory memory) {
    this.spec = spec;
    this.memory = memory;
  }

  /**
   * One upsert command with every attribute: call it wherever the state, weight or stage changed.
   */
  void publish() {
    Workflow.upsertTypedSearchAttributes(
        RolloutSearchAttributes.PROMPT_NAME.valueSet(spec.prompt()),
        RolloutSearchAttributes.PROMPT_VERSION.valueSet((long) spec.candidateVersion()),
        RolloutSearchAttributes.ROLLOUT_STATE.valueSet(memory.state.name()),
        RolloutSearchAttributes.CANARY_WEIGHT.valueSet((long) memory.canaryWeightBp),
        RolloutSearchAttributes.ROLLOUT_STAGE.valueSet((long) memory.stageIndex + 1));
  }
}
