package dev.promptcanary.workflows.rollout;

/**
 * A person's control of a rollout, for the audit log.
 *
 * @param role the role of the actor's key (null for requests recorded before keys had roles)
 * @param stateBefore the rollout's state when the control was handled (null in older histories)
 * @param canaryWeightBpBefore the canary weight then (null in older histories)
 * @param requestId the control's {@link ControlRequest#requestId()} (null in older histories)
 */
public record AuditEntry(
    String rolloutId,
    String prompt,
    String actor,
    String action,
    String reason,
    String role,
    String stateBefore,
    Integer canaryWeightBpBefore,
    String requestId) {
  public AuditEntry(String rolloutId, String prompt, String actor, String action, String reason) {
    this(rolloutId, prompt, actor, action, reason, null, null, null, null);
  }
}
