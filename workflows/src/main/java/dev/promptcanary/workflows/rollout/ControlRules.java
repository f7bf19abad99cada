package dev.promptcanary.workflows.rollout;

import io.temporal.failure.ApplicationFailure;

/**
 * Which controls the update validators let through: every control names who sent it and why, none
 * reaches an ended rollout, a pause only a running one, a resume only a paused one and an approve
 * only one awaiting approval. A refused control never enters the workflow history; its failure type
 * is what the API maps to 422 or 409.
 */
final class ControlRules {
  private ControlRules() {}

  /** Throws the refusal; {@code memory} is null before the run started. */
  static void validate(ControlKind kind, ControlRequest request, RolloutMemory memory) {
    if (request == null || request.actor() == null || request.actor().isBlank()) {
      throw ApplicationFailure.newNonRetryableFailure(
          "actor is required", RolloutMessages.INVALID_CONTROL);
    }
    if (request.reason() == null || request.reason().isBlank()) {
      throw ApplicationFailure.newNonRetryableFailure(
          "reason is required", RolloutMessages.INVALID_CONTROL);
    }
    if (memory == null || memory.state.isFinal()) {
      throw ApplicationFailure.newNonRetryableFailure(
          "the rollout has already ended (" + (memory == null ? "?" : memory.state) + ")",
          RolloutMessages.CONTROL_NOT_ALLOWED);
    }
    if (kind == ControlKind.PAUSE && memory.state == RolloutState.PAUSED) {
      throw ApplicationFailure.newNonRetryableFailure(
          "the rollout is already paused", RolloutMessages.CONTROL_NOT_ALLOWED);
    }
    if (kind == ControlKind.APPROVE && memory.state != RolloutState.AWAITING_APPROVAL) {
      throw ApplicationFailure.newNonRetryableFailure(
          "the rollout is not awaiting approval (" + memory.state + ")",
          RolloutMessages.CONTROL_NOT_ALLOWED);
    }
    if (kind == ControlKind.RESUME && memory.state != RolloutState.PAUSED) {
      throw ApplicationFailure.newNonRetryableFailure(
          "the rollout is not paused", RolloutMessages.CONTROL_NOT_ALLOWED);
    }
  }
}
