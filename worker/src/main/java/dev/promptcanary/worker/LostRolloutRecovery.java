package dev.promptcanary.worker;

import dev.promptcanary.activities.store.RolloutDao;
import dev.promptcanary.workflows.rollout.Checkpoint;
import dev.promptcanary.workflows.rollout.RolloutInput;
import dev.promptcanary.workflows.rollout.RolloutSpec;
import dev.promptcanary.workflows.rollout.RolloutWorkflow;
import io.dropwizard.lifecycle.Managed;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restarts rollouts whose workflow Temporal no longer knows, from the checkpoint in PostgreSQL. The
 * embedded test server keeps its history in memory, so after a restart of {@code dev} every
 * unfinished rollout would otherwise be orphaned; against a cluster that kept its history this
 * finds nothing to do.
 */
public final class LostRolloutRecovery implements Managed {
  private static final Logger LOG = LoggerFactory.getLogger(LostRolloutRecovery.class);
  private final RolloutDao rollouts;
  private final WorkflowClient client;
  private final String taskQueue;

  public LostRolloutRecovery(RolloutDao rollouts, WorkflowClient client, String taskQueue) {
    this.rollouts = rollouts;
    this.client = client;
    this.taskQueue = taskQueue;
  }

  @Override
  public void start() {
    try {
      int resumed = resumeLost();
      if (resumed > 0) {
        LOG.info("resumed {} rollouts from their PostgreSQL checkpoints", resumed);
      }
    } catch (RuntimeException e) {
      LOG.warn("could not check for lost rollouts: {}", e.getMessage());
    }
  }

  /** Returns how many rollouts were restarted. */
  public int resumeLost() {
    int resumed = 0;
    for (RolloutDao.Row row : rollouts.active()) {
      // A row without a run id was never started by a worker: the API that inserted it owns it.
      if (row.runId() == null || row.checkpoint() == null || isRunning(row.workflowId())) {
        continue;
      }
      RolloutSpec spec = row.spec();
      Checkpoint checkpoint = row.checkpoint();
      RolloutWorkflow workflow =
          client.newWorkflowStub(
              RolloutWorkflow.class,
              WorkflowOptions.newBuilder()
                  .setWorkflowId(row.workflowId())
                  .setTaskQueue(taskQueue)
                  .setWorkflowIdReusePolicy(
                      WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                  .setStaticSummary(
                      "Resumed rollout of " + spec.prompt() + " v" + spec.candidateVersion())
                  .build());
      WorkflowClient.start(
          workflow::run,
          new RolloutInput(row.id(), spec.withoutWebhookSecret(), checkpoint, row.runId()));
      LOG.info(
          "resumed rollout {} at stage {} from its checkpoint (lost run {})",
          row.id(),
          checkpoint.stageIndex() + 1,
          row.runId());
      resumed++;
    }
    return resumed;
  }

  private boolean isRunning(String workflowId) {
    try {
      var description =
          client
              .getWorkflowServiceStubs()
              .blockingStub()
              .describeWorkflowExecution(
                  DescribeWorkflowExecutionRequest.newBuilder()
                      .setNamespace(client.getOptions().getNamespace())
                      .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                      .build());
      return description.getWorkflowExecutionInfo().getStatus()
          == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }
}
