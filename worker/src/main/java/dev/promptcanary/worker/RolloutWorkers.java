package dev.promptcanary.worker;

import dev.promptcanary.activities.eval.NoSuitesEvalRunner;
import dev.promptcanary.activities.rollout.AlertSender;
import dev.promptcanary.activities.rollout.RolloutActivitiesImpl;
import dev.promptcanary.workflows.rollout.RolloutWorkflowImpl;
import io.temporal.client.WorkflowClient;
import org.jdbi.v3.core.Jdbi;

/** Assembles the worker that runs rollouts: the workflow and its activities over the store. */
public final class RolloutWorkers {
  private RolloutWorkers() {}

  public static RolloutWorker create(WorkflowClient client, String taskQueue, Jdbi jdbi) {
    RolloutActivitiesImpl activities = new RolloutActivitiesImpl(jdbi, new NoSuitesEvalRunner(), new AlertSender());
    return new RolloutWorker(client, taskQueue, worker -> {
      worker.registerWorkflowImplementationTypes(RolloutWorkflowImpl.class);
      worker.registerActivitiesImplementations(activities);
    });
  }
}
