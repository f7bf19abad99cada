package dev.promptcanary.workflows.rollout;

/**
 * {@code Workflow.getVersion} change ids of the rollout workflow. Every change to released workflow
 * code goes behind one of these; they are never renamed or reused.
 */
final class ChangeIds {
  /**
   * A look whose judge-health check fails holds the rollout (before: it kept waiting like an
   * inconclusive look).
   */
  static final String JUDGE_HEALTH_HOLD = "judge-health-hold";

  /**
   * An abort or bypass during the offline eval abandons the eval activity (before: requested its
   * cancellation).
   */
  static final String EVAL_ABANDONED_ON_CONTROL = "eval-abandoned-on-control";

  /**
   * A sample ratio mismatch holds the rollout unless its spec asks to roll back (before: it always
   * rolled back).
   */
  static final String SRM_HOLDS = "srm-holds";

  /**
   * Controls always take effect (before: a look, an audit write or an alert delivery could hold
   * them up): a look in flight is abandoned when a control arrives, a pause is answered during the
   * eval, alerts and audit writes run in the background, and steps retry a bounded number of times,
   * a look or a routing write that keeps failing holding the rollout ({@link
   * PauseReason#STEP_FAILED}).
   */
  static final String CONTROLS_PREEMPT = "controls-preempt";

  /**
   * A stage with {@code requireApproval} waits in {@code AWAITING_APPROVAL} for an {@code approve}
   * (or its timeout) once its gates passed. Only rollouts asking for approval reach it.
   */
  static final String APPROVAL_STEP = "approval-step";

  /**
   * A {@code notify-only} rollout alerts {@code regression_notified} when a gate first shows a
   * regression, instead of rolling back. Only notify-only rollouts reach it.
   */
  static final String NOTIFY_ONLY_ALERTS = "notify-only-alerts";

  /**
   * A look or a read-model record failing because the store is unavailable ({@link
   * RolloutMessages#STORE_UNAVAILABLE}) is retried for {@link StoreOutage#BUDGET} before the look
   * holds the rollout; a record is retried in the background so a held rollout's read model says so
   * once the store is back (before: both gave up after their ordinary retries, about 8 s). Only
   * runs that met a store outage reach it.
   */
  static final String STORE_OUTAGE_RETRY = "store-outage-retry";

  /**
   * A control still waiting when the rollout ends (a pause taken in the same workflow task as the
   * abort that ended it) is refused with {@link RolloutMessages#CONTROL_NOT_ALLOWED}, so the API
   * answers 409 (before: it was answered as done, 200, though nothing acted on it or audited it).
   * Only runs that end with a control waiting reach it.
   */
  static final String ENDED_ROLLOUT_REFUSES_WAITING_CONTROLS =
      "ended-rollout-refuses-waiting-controls";

  /**
   * The offline eval (the rollout's and the eval run's) times out after 10 s without a heartbeat,
   * retries after 1 s, up to five attempts (before: 30 s, 5 s, three): an eval on a worker that
   * died goes on about 25 s sooner. Only runs with an offline eval call it, where the eval is
   * scheduled.
   */
  static final String EVAL_QUICK_HEARTBEAT_TIMEOUT = "eval-quick-heartbeat-timeout";

  /**
   * A look runs first as a local activity on the workflow's own worker, within {@link
   * ActivityStubs#LOCAL_LOOK_TIMEOUT}, recorded as one marker in the workflow task that asked for
   * it; only a look that failed or ran out of that time goes to the activity task queue with the
   * ordinary step retries (before: every look was an activity, three events and two round trips
   * through the server's task queues). With 300 rollouts on one worker looking every 5 s, the p99
   * look delay went from 15 s to 1.9 s (docs/reliability.md, fault 7).
   */
  static final String LOOK_LOCAL_FIRST = "look-local-first";

  private ChangeIds() {}
}
