package dev.promptcanary.workflows.rollout;

/**
 * One step of a rollout: the canary weight to hold, how many judge scores each arm needs (metric
 * completeness), and how long to bake. A stage can promote only after {@code minBakeSeconds} and
 * completeness; it can roll back at any moment; at {@code maxBakeSeconds} without a decision the
 * rollout's inconclusive policy applies.
 *
 * <p>The approval fields were added later (stages of older rollouts read them as false, 0, null):
 *
 * @param requireApproval once the stage's gates pass, the rollout waits in {@link
 *     RolloutState#AWAITING_APPROVAL} for an {@code approve} before it goes on
 * @param approvalTimeoutSeconds how long it waits for the approval; 0: for ever
 * @param onApprovalTimeout what the timeout does; null (with a timeout): {@link
 *     ApprovalTimeoutAction#HOLD}
 */
public record Stage(
    int weightBp,
    int minJudgements,
    long minBakeSeconds,
    long maxBakeSeconds,
    boolean requireApproval,
    long approvalTimeoutSeconds,
    ApprovalTimeoutAction onApprovalTimeout) {

  public Stage {
    if (weightBp < 1 || weightBp > 10_000) {
      throw new IllegalArgumentException("weightBp must be within 1..10000, was " + weightBp);
    }
    if (minJudgements < 0) {
      throw new IllegalArgumentException("minJudgements must be >= 0, was " + minJudgements);
    }
    if (minBakeSeconds < 0 || maxBakeSeconds < minBakeSeconds || maxBakeSeconds < 1) {
      throw new IllegalArgumentException(
          "need 0 <= minBakeSeconds <= maxBakeSeconds and maxBakeSeconds >= 1, got "
              + minBakeSeconds
              + " and "
              + maxBakeSeconds);
    }
    if (approvalTimeoutSeconds < 0) {
      throw new IllegalArgumentException(
          "approvalTimeoutSeconds must be >= 0, was " + approvalTimeoutSeconds);
    }
    if (!requireApproval && (approvalTimeoutSeconds > 0 || onApprovalTimeout != null)) {
      throw new IllegalArgumentException(
          "approvalTimeoutSeconds and onApprovalTimeout need requireApproval: true");
    }
  }

  /** A stage that needs no approval: the shape of stages before approvals. */
  public Stage(int weightBp, int minJudgements, long minBakeSeconds, long maxBakeSeconds) {
    this(weightBp, minJudgements, minBakeSeconds, maxBakeSeconds, false, 0, null);
  }

  /** What the approval timeout does. */
  public ApprovalTimeoutAction approvalTimeoutActionOrDefault() {
    return onApprovalTimeout == null ? ApprovalTimeoutAction.HOLD : onApprovalTimeout;
  }
}
