package dev.promptcanary.workflows.rollout;

import dev.promptcanary.workflows.TaskQueues;
import dev.promptcanary.workflows.domain.GatesConfig;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributeKey;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.util.List;

/**
 * The shared setup of workflow tests: a time-skipping test server with the search attributes
 * rollouts upsert.
 */
final class Scenarios {
  static final String ID = "rollout-support-2";

  private Scenarios() {}

  static TestWorkflowEnvironment environment(FakeActivities fake) {
    TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
    for (SearchAttributeKey<?> key : RolloutSearchAttributes.ALL) {
      env.registerSearchAttribute(key.getName(), key.getValueType());
    }
    Worker worker = env.newWorker(TaskQueues.ROLLOUTS);
    worker.registerWorkflowImplementationTypes(RolloutWorkflowImpl.class);
    worker.registerActivitiesImplementations(fake);
    env.start();
    return env;
  }

  static RolloutSpec spec(InconclusivePolicy policy, int maxExtensions) {
    List<Stage> stages =
        List.of(
            new Stage(500, 100, 600, 3600),
            new Stage(2500, 100, 600, 3600),
            new Stage(5000, 100, 600, 3600));
    return spec(stages, policy, maxExtensions, 60, "http://hooks.example/alerts");
  }

  /** Version 2 of prompt "support" against 1, started by "ana", default gates, no eval suite. */
  static RolloutSpec spec(
      List<Stage> stages,
      InconclusivePolicy policy,
      int maxExtensions,
      int checkIntervalSeconds,
      String alertWebhook) {
    return new RolloutSpec(
        "support",
        2,
        1,
        stages,
        GatesConfig.defaults(),
        null,
        policy,
        maxExtensions,
        checkIntervalSeconds,
        alertWebhook,
        "ana",
        null,
        null,
        null,
        null,
        null);
  }

  /** The same spec with an offline eval suite named. */
  static RolloutSpec withSuite(RolloutSpec spec) {
    return new RolloutSpec(
        spec.prompt(),
        spec.candidateVersion(),
        spec.baselineVersion(),
        spec.stages(),
        spec.gates(),
        "support-smoke@3",
        spec.inconclusivePolicy(),
        spec.maxExtensions(),
        spec.checkIntervalSeconds(),
        spec.alertWebhook(),
        spec.startedBy(),
        spec.judge(),
        null,
        null,
        null,
        null);
  }

  /** The same spec, rolling back on a sample ratio mismatch. */
  static RolloutSpec rollbackOnSrm(RolloutSpec spec) {
    return new RolloutSpec(
        spec.prompt(),
        spec.candidateVersion(),
        spec.baselineVersion(),
        spec.stages(),
        spec.gates(),
        spec.evalSuite(),
        spec.inconclusivePolicy(),
        spec.maxExtensions(),
        spec.checkIntervalSeconds(),
        spec.alertWebhook(),
        spec.startedBy(),
        spec.judge(),
        SrmPolicy.ROLLBACK,
        null,
        null,
        null);
  }

  /** The same spec with stages that bake 5 to 10 minutes (short recorded histories). */
  static RolloutSpec shortStages(RolloutSpec spec) {
    List<Stage> stages =
        spec.stages().stream()
            .map(s -> new Stage(s.weightBp(), s.minJudgements(), 300, 600))
            .toList();
    return with(spec, stages, spec.mode());
  }

  /**
   * The same spec whose stage {@code index} (0-based) requires approval, with that timeout (0:
   * none) and what it does then.
   */
  static RolloutSpec withApproval(
      RolloutSpec spec, int index, long timeoutSeconds, ApprovalTimeoutAction onTimeout) {
    List<Stage> stages = new java.util.ArrayList<>(spec.stages());
    Stage s = stages.get(index);
    stages.set(
        index,
        new Stage(
            s.weightBp(),
            s.minJudgements(),
            s.minBakeSeconds(),
            s.maxBakeSeconds(),
            true,
            timeoutSeconds,
            onTimeout));
    return with(spec, stages, spec.mode());
  }

  /** The same spec in {@code notify-only} mode. */
  static RolloutSpec notifyOnly(RolloutSpec spec) {
    return with(spec, spec.stages(), RolloutMode.NOTIFY_ONLY);
  }

  private static RolloutSpec with(RolloutSpec spec, List<Stage> stages, RolloutMode mode) {
    return new RolloutSpec(
        spec.prompt(),
        spec.candidateVersion(),
        spec.baselineVersion(),
        stages,
        spec.gates(),
        spec.evalSuite(),
        spec.inconclusivePolicy(),
        spec.maxExtensions(),
        spec.checkIntervalSeconds(),
        spec.alertWebhook(),
        spec.startedBy(),
        spec.judge(),
        spec.srmPolicy(),
        spec.alertWebhookSecret(),
        spec.alertFormat(),
        mode);
  }

  static RolloutWorkflow start(WorkflowClient client, RolloutSpec spec) {
    RolloutWorkflow workflow =
        client.newWorkflowStub(
            RolloutWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(ID)
                .setTaskQueue(TaskQueues.ROLLOUTS)
                .build());
    WorkflowClient.start(workflow::run, new RolloutInput(ID, spec, Checkpoint.initial(), null));
    return client.newWorkflowStub(RolloutWorkflow.class, ID);
  }
}
