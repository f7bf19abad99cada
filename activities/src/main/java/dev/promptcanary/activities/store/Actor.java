package dev.promptcanary.activities.store;

/**
 * Who made a change, for the audit log: the name of the API key and its role. The rollout's own
 * writes are made by {@link #SYSTEM}.
 */
public record Actor(String name, String role) {
  public static final Actor SYSTEM = new Actor("promptcanary", "system");
}
