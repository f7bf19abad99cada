package dev.promptcanary.workflows.rollout;

/**
 * What a stage does when its maximum bake time passes without a decision (including for lack of
 * traffic).
 */
public enum InconclusivePolicy {
  /** Bake another {@code maxBakeSeconds}, up to the rollout's extension budget; then hold. */
  EXTEND,
  /** Pause at the current weight and alert: a person decides (resume, bypass or abort). */
  HOLD,
  /** Roll back. */
  ROLLBACK
}
