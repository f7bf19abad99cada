package dev.promptcanary.workflows.rollout;

/** The controls a person can send a running rollout. */
enum ControlKind {
  BYPASS,
  ABORT,
  PAUSE,
  RESUME;

  String action() {
    return "rollout." + name().toLowerCase(java.util.Locale.ROOT);
  }
}
