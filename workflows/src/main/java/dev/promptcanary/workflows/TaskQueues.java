package dev.promptcanary.workflows;

/**
 * Task-queue names shared by the worker that polls them and the clients that start work on them.
 */
public final class TaskQueues {
  /** Rollout workflows and their activities. */
  public static final String ROLLOUTS = "promptcanary-rollouts";

  private TaskQueues() {}
}
