package dev.promptcanary.worker;

import dev.promptcanary.activities.eval.EvalRunner;
import dev.promptcanary.activities.eval.NoSuitesEvalRunner;
import dev.promptcanary.activities.eval.SuiteEvalRunner;
import dev.promptcanary.activities.model.ChatModel;
import dev.promptcanary.activities.model.Judge;
import dev.promptcanary.activities.observability.RolloutMeters;
import dev.promptcanary.activities.rollout.AlertSender;
import dev.promptcanary.activities.rollout.RolloutActivitiesImpl;
import dev.promptcanary.workflows.eval.EvalRunWorkflowImpl;
import dev.promptcanary.workflows.rollout.RolloutWorkflowImpl;
import io.temporal.client.WorkflowClient;
import org.jdbi.v3.core.Jdbi;

/**
 * Assembles the worker that runs rollouts and eval runs: the workflows and their activities over
 * the store.
 */
public final class RolloutWorkers {
  private RolloutWorkers() {}

  /**
   * A worker without a model endpoint: a rollout naming an eval suite is blocked with a reason
   * saying so.
   */
  public static RolloutWorker create(WorkflowClient client, String taskQueue, Jdbi jdbi) {
    return create(client, taskQueue, jdbi, null, null);
  }

  /**
   * A worker whose offline eval runs suites on {@code model}, with {@code judge} for judge
   * assertions (null: a suite with judge assertions is blocked saying no judge is configured). A
   * null {@code model} means no endpoint.
   */
  public static RolloutWorker create(
      WorkflowClient client, String taskQueue, Jdbi jdbi, ChatModel model, Judge judge) {
    return create(
        client,
        taskQueue,
        new WorkerTuningFactory(),
        jdbi,
        model,
        judge,
        new AlertSender(),
        RolloutMeters.unread());
  }

  /**
   * The same, sized by {@code tuning}, alerts going through {@code alerts} (its default webhook and
   * links) and the activities' meters to {@code meters}.
   */
  public static RolloutWorker create(
      WorkflowClient client,
      String taskQueue,
      WorkerTuningFactory tuning,
      Jdbi jdbi,
      ChatModel model,
      Judge judge,
      AlertSender alerts,
      RolloutMeters meters) {
    EvalRunner evalRunner =
        model == null ? new NoSuitesEvalRunner() : new SuiteEvalRunner(jdbi, model, judge);
    RolloutActivitiesImpl activities = new RolloutActivitiesImpl(jdbi, evalRunner, alerts, meters);
    return new RolloutWorker(
        client,
        taskQueue,
        tuning,
        worker -> {
          // The eval run without a rollout runs the rollout's own eval activity, on the same queue.
          worker.registerWorkflowImplementationTypes(
              RolloutWorkflowImpl.class, EvalRunWorkflowImpl.class);
          worker.registerActivitiesImplementations(activities);
        });
  }
}
