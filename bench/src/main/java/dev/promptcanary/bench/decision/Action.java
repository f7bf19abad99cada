package dev.promptcanary.bench.decision;

/** How a simulated rollout ended for one method. */
enum Action {
  ROLLBACK,
  PROMOTE,
  /** Stopped by a sample ratio mismatch (held or rolled back for SRM). */
  BLOCKED,
  /** Still waiting when the bake window ran out. */
  HELD,
  /** Held by the judge-health check (clustered scenarios). */
  JUDGE_HOLD
}
