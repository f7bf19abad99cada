package dev.promptcanary.workflows.rollout;

/** Where a rollout is. The last five are final. */
public enum RolloutState {
  PENDING_EVAL,
  CANARY,
  PAUSED,
  /**
   * A stage with {@code requireApproval} passed its gates and waits for an {@code approve} (added
   * later: only rollouts asking for approval are ever in it).
   */
  AWAITING_APPROVAL,
  EVAL_BLOCKED,
  PROMOTED,
  BYPASSED,
  ROLLED_BACK,
  ABORTED;

  public boolean isFinal() {
    return switch (this) {
      case EVAL_BLOCKED, PROMOTED, BYPASSED, ROLLED_BACK, ABORTED -> true;
      default -> false;
    };
  }
}
