package dev.promptcanary.workflows.eval;

import dev.promptcanary.workflows.TaskQueues;
import dev.promptcanary.workflows.rollout.AlertEvent;
import dev.promptcanary.workflows.rollout.AnalysisReport;
import dev.promptcanary.workflows.rollout.AnalysisRequest;
import dev.promptcanary.workflows.rollout.AuditEntry;
import dev.promptcanary.workflows.rollout.EvalRequest;
import dev.promptcanary.workflows.rollout.EvalSummary;
import dev.promptcanary.workflows.rollout.RolloutActivities;
import dev.promptcanary.workflows.rollout.RolloutRecord;
import dev.promptcanary.workflows.rollout.RoutingCommand;
import dev.promptcanary.workflows.rollout.RoutingReceipt;
import dev.promptcanary.workflows.rollout.StagePlan;
import dev.promptcanary.workflows.rollout.StagePlanRequest;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The rollout's activities as an eval run sees them: the eval answers what the test scripts (the
 * first {@code failures} attempts throw), and every other activity fails the test, since an eval
 * run must touch nothing but the eval.
 */
class ScriptedEval implements RolloutActivities {
  static final String EVAL_ID = "eval-ci-41";

  volatile EvalSummary answer =
      new EvalSummary(true, "eval suite faq v1 passed: candidate v2 3/3 cases passed", 3, 1, 1);
  volatile int failures;
  final List<EvalRequest> requests = new CopyOnWriteArrayList<>();
  final List<String> unexpected = new CopyOnWriteArrayList<>();

  static TestWorkflowEnvironment environment(ScriptedEval activities) {
    TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
    Worker worker = env.newWorker(TaskQueues.ROLLOUTS);
    worker.registerWorkflowImplementationTypes(EvalRunWorkflowImpl.class);
    worker.registerActivitiesImplementations(activities);
    env.start();
    return env;
  }

  static EvalRunInput input() {
    return new EvalRunInput(EVAL_ID, "support", 2, 1, "faq@1", "ci-deployer");
  }

  static EvalRunWorkflow stub(TestWorkflowEnvironment env) {
    return env.getWorkflowClient()
        .newWorkflowStub(
            EvalRunWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(EVAL_ID)
                .setTaskQueue(TaskQueues.ROLLOUTS)
                .build());
  }

  @Override
  public EvalSummary runOfflineEval(EvalRequest request) {
    requests.add(request);
    if (requests.size() <= failures) {
      throw new IllegalStateException("the store is unreachable (attempt " + requests.size() + ")");
    }
    return answer;
  }

  private <T> T refuse(String what) {
    unexpected.add(what);
    throw new UnsupportedOperationException("an eval run must not " + what);
  }

  @Override
  public RoutingReceipt setRouting(RoutingCommand command) {
    return refuse("set routing");
  }

  @Override
  public AnalysisReport analyse(AnalysisRequest request) {
    return refuse("analyse a canary");
  }

  @Override
  public StagePlan planStage(StagePlanRequest request) {
    return refuse("plan a stage");
  }

  @Override
  public void recordProgress(RolloutRecord record) {
    refuse("record rollout progress");
  }

  @Override
  public void sendAlert(AlertEvent event) {
    refuse("send an alert");
  }

  @Override
  public void recordAudit(AuditEntry entry) {
    refuse("write the audit log");
  }
}
