package dev.promptcanary.activities.routing;

/** Which side of a rollout a request was served from. */
public enum Arm {
  STABLE,
  CANARY
}
