package dev.promptcanary.workflows.rollout;

/**
 * What a stage that requires approval does when its {@code approvalTimeoutSeconds} pass without an
 * {@code approve}.
 */
public enum ApprovalTimeoutAction {
  /** Go on as if approved: the next stage, or the promotion after the last. */
  PROMOTE,
  /** Roll back. */
  ROLLBACK,
  /** Keep waiting for a person (alert {@code held}); no further timeout. */
  HOLD
}
