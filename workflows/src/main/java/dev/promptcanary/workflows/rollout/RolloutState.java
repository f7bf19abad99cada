package dev.promptcanary.workflows.rollout;

/** Where a rollout is. The last five are final. */
public enum RolloutState {
  PENDING_EVAL,
  CANARY,
  PAUSED,
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
