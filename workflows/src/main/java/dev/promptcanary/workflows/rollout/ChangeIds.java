package dev.promptcanary.workflows.rollout;

/**
 * {@code Workflow.getVersion} change ids of the rollout workflow. Every change to released workflow code goes
 * behind one of these; they are never renamed or reused.
 */
final class ChangeIds {
  private ChangeIds() {}
}
