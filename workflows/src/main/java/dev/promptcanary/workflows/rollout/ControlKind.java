package dev.promptcanary.workflows.rollout;

/** The controls a person can send a running rollout. */
enum ControlKind {
  BYPASS,
  ABORT,
  PAUSE,
  RESUME,
  /** Lets a stage waiting in {@link RolloutState#AWAITING_APPROVAL} go on. */
  APPROVE;

  String action() {
    return "rollout." + name().toLowerCase(java.util.Locale.ROOT);
  }
}
