package dev.promptcanary.workflows.rollout;

/**
 * A person's instruction to a running rollout (bypass, abort, pause, resume): who, and why.
 *
 * @param actor the name of the API key that sent it
 * @param role that key's role; null in requests recorded before keys had roles
 * @param requestId what tells this control call from every other, carried into its audit entry so
 *     the API can tell a control that was acted on from one the run ended before taking; null in
 *     requests recorded before controls had ids
 */
public record ControlRequest(String actor, String reason, String role, String requestId) {
  public ControlRequest(String actor, String reason) {
    this(actor, reason, null, null);
  }

  public ControlRequest(String actor, String reason, String role) {
    this(actor, reason, role, null);
  }
}
