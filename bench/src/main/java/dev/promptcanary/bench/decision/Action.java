package dev.promptcanary.bench.decision;

/** How a simulated rollout ended for one method. */
enum Action {
  ROLLBACK,
  PROMOTE,
  /** Promotion blocked by a sample ratio mismatch. */
  BLOCKED,
  /** Still waiting when the bake window ran out. */
  HELD
}
