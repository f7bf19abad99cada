package dev.promptcanary.sdk;

/** Which side of a rollout a unit is served from. */
public enum Arm {
  STABLE,
  CANARY
}
