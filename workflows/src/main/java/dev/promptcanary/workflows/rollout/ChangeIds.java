package dev.promptcanary.workflows.rollout;

/**
 * {@code Workflow.getVersion} change ids of the rollout workflow. Every change to released workflow code goes
 * behind one of these; they are never renamed or reused.
 */
final class ChangeIds {
  /** A look whose judge-health check fails holds the rollout (before: it kept waiting like an inconclusive look). */
  static final String JUDGE_HEALTH_HOLD = "judge-health-hold";

  /** An abort or bypass during the offline eval abandons the eval activity (before: requested its cancellation). */
  static final String EVAL_ABANDONED_ON_CONTROL = "eval-abandoned-on-control";

  /** A sample ratio mismatch holds the rollout unless its spec asks to roll back (before: it always rolled back). */
  static final String SRM_HOLDS = "srm-holds";

  private ChangeIds() {}
}
