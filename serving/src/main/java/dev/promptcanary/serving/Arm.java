package dev.promptcanary.serving;

/** Which side of a rollout a unit is served from (the server's resolve and the SDK's). */
public enum Arm {
  STABLE,
  CANARY
}
