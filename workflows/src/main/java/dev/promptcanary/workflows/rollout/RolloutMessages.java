package dev.promptcanary.workflows.rollout;

/**
 * The names other modules use to talk to a running rollout, and the failure types its update
 * validators reject with: constants here, so that the API never spells a name or parses a message
 * or class name.
 */
public final class RolloutMessages {
  /** Workflow type of {@link RolloutWorkflow#run}. */
  public static final String WORKFLOW_TYPE = "PromptRollout";

  public static final String BYPASS = "bypass";
  public static final String ABORT = "abort";
  public static final String PAUSE = "pause";
  public static final String RESUME = "resume";
  public static final String APPROVE = "approve";

  /** Signal sent by the ingest path when new outcomes were stored. */
  public static final String DATA_ARRIVED = "dataArrived";

  /** A control request that is malformed (no actor, no reason): the API answers 422. */
  public static final String INVALID_CONTROL = "InvalidControl";

  /**
   * A control the rollout cannot take in its current state (ended, not paused, already paused): the
   * API answers 409.
   */
  public static final String CONTROL_NOT_ALLOWED = "ControlNotAllowed";

  /**
   * The {@code ApplicationFailure} type an activity fails with when the store (PostgreSQL) cannot
   * be reached: a look or a read-model record failing so is retried for the longer {@link
   * StoreOutage#BUDGET} instead of holding the rollout after its ordinary retries.
   */
  public static final String STORE_UNAVAILABLE = "StoreUnavailable";

  private RolloutMessages() {}

  /** The update name of a control action as the API spells it in its URL, or null if unknown. */
  public static String updateFor(String action) {
    return switch (action) {
      case BYPASS, ABORT, PAUSE, RESUME, APPROVE -> action;
      default -> null;
    };
  }
}
