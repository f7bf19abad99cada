package dev.promptcanary.workflows.rollout;

/**
 * A person's instruction to a running rollout (bypass, abort, pause, resume): who, and why.
 *
 * @param actor the name of the API key that sent it
 * @param role that key's role; null in requests recorded before keys had roles
 */
public record ControlRequest(String actor, String reason, String role) {
  public ControlRequest(String actor, String reason) {
    this(actor, reason, null);
  }
}
