package dev.promptcanary.worker;

import dev.promptcanary.activities.rollout.AlertSender;
import dev.promptcanary.activities.rollout.WebhookTarget;
import dev.promptcanary.activities.store.AlertDao;
import dev.promptcanary.activities.store.RolloutDao;
import dev.promptcanary.activities.store.RolloutEndDao;
import dev.promptcanary.workflows.rollout.AlertEvent;
import dev.promptcanary.workflows.rollout.Checkpoint;
import dev.promptcanary.workflows.rollout.RolloutInput;
import dev.promptcanary.workflows.rollout.RolloutResult;
import dev.promptcanary.workflows.rollout.RolloutSpec;
import dev.promptcanary.workflows.rollout.RolloutState;
import dev.promptcanary.workflows.rollout.RolloutWorkflow;
import io.dropwizard.lifecycle.Managed;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Squares the read model with Temporal for every rollout whose row says it is unfinished, at worker
 * start and then every {@code sweepInterval}:
 *
 * <ul>
 *   <li>workflow running: nothing to do;
 *   <li>workflow unknown (Temporal lost its history: the embedded test server after a restart of
 *       {@code dev}, a new namespace): re-created from the PostgreSQL checkpoint as a new run;
 *   <li>workflow completed, but its final record never reached the store (it kept failing): the end
 *       is recorded from the workflow's result, and routing released if the rollout still owned it;
 *   <li>workflow terminated, cancelled, failed or timed out in Temporal (e.g. {@code temporal
 *       workflow terminate}): the rollout is recorded as {@code ABORTED}, routing reset to the
 *       baseline, audited and alerted. It is not re-run: someone stopped it on purpose.
 * </ul>
 *
 * Every path is idempotent across workers: the end is written under the row's lock only while the
 * row is unfinished, and a second start of a lost workflow finds it already started.
 */
public final class LostRolloutRecovery implements Managed {
  private static final Logger LOG = LoggerFactory.getLogger(LostRolloutRecovery.class);
  private final RolloutDao rollouts;
  private final RolloutEndDao ends;
  private final AlertDao alerts;
  private final AlertSender alertSender;
  private final WorkflowClient client;
  private final String taskQueue;
  private final Duration sweepInterval;
  private ScheduledExecutorService sweeper;

  public LostRolloutRecovery(
      Jdbi jdbi,
      WorkflowClient client,
      String taskQueue,
      AlertSender alertSender,
      Duration sweepInterval) {
    this.rollouts = jdbi.onDemand(RolloutDao.class);
    this.ends = jdbi.onDemand(RolloutEndDao.class);
    this.alerts = jdbi.onDemand(AlertDao.class);
    this.alertSender = alertSender;
    this.client = client;
    this.taskQueue = taskQueue;
    this.sweepInterval = sweepInterval;
  }

  /** What one sweep did. */
  public record Sweep(int resumed, int endsRecorded, int terminatedEnded) {}

  @Override
  public void start() {
    sweepLogged();
    if (!sweepInterval.isZero()) {
      sweeper =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread thread = new Thread(r, "rollout-recovery");
                thread.setDaemon(true);
                return thread;
              });
      long millis = sweepInterval.toMillis();
      sweeper.scheduleWithFixedDelay(this::sweepLogged, millis, millis, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public void stop() {
    if (sweeper != null) {
      sweeper.shutdownNow();
    }
  }

  private void sweepLogged() {
    try {
      Sweep sweep = sweep();
      if (sweep.resumed() + sweep.endsRecorded() + sweep.terminatedEnded() > 0) {
        LOG.info(
            "rollout recovery: {} resumed from their PostgreSQL checkpoints, {} ends recorded from"
                + " completed workflows, {} stopped in Temporal recorded as aborted",
            sweep.resumed(),
            sweep.endsRecorded(),
            sweep.terminatedEnded());
      }
    } catch (RuntimeException e) {
      LOG.warn("could not check for lost rollouts: {}", e.getMessage());
    }
  }

  /** Returns how many rollouts were restarted (the other outcomes are in {@link #sweep}). */
  public int resumeLost() {
    return sweep().resumed();
  }

  public Sweep sweep() {
    int resumed = 0;
    int recorded = 0;
    int terminated = 0;
    for (RolloutDao.Row row : rollouts.active()) {
      // A row without a run id was never started by a worker: the API that inserted it owns it.
      if (row.runId() == null || row.checkpoint() == null) {
        continue;
      }
      try {
        WorkflowExecutionStatus status = status(row.workflowId());
        switch (status) {
          case WORKFLOW_EXECUTION_STATUS_RUNNING, WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW -> {}
          case WORKFLOW_EXECUTION_STATUS_UNSPECIFIED -> resumed += resume(row) ? 1 : 0;
          case WORKFLOW_EXECUTION_STATUS_COMPLETED -> recorded += recordEnd(row) ? 1 : 0;
          default -> terminated += endStopped(row, status) ? 1 : 0;
        }
      } catch (RuntimeException e) {
        LOG.warn("could not check rollout {}: {}", row.id(), e.getMessage());
      }
    }
    return new Sweep(resumed, recorded, terminated);
  }

  private boolean resume(RolloutDao.Row row) {
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
    try {
      WorkflowClient.start(
          workflow::run,
          new RolloutInput(row.id(), spec.withoutWebhookSecret(), checkpoint, row.runId()));
    } catch (WorkflowExecutionAlreadyStarted e) {
      return false; // another worker's recovery was first
    }
    LOG.info(
        "resumed rollout {} at stage {} from its checkpoint (lost run {})",
        row.id(),
        checkpoint.stageIndex() + 1,
        row.runId());
    return true;
  }

  /** The workflow ended normally but its final record kept failing: record it from the result. */
  private boolean recordEnd(RolloutDao.Row row) {
    RolloutResult result;
    try {
      result =
          client
              .newUntypedWorkflowStub(row.workflowId())
              .getResult(10, TimeUnit.SECONDS, RolloutResult.class);
    } catch (TimeoutException e) {
      return false; // not closed after all (a new run started meanwhile): the next sweep looks
      // again
    }
    if (result == null || result.state() == null || !result.state().isFinal()) {
      return false;
    }
    String reason =
        result.reason() + " (end recorded by recovery: the workflow's final record had failed)";
    var ended = ends.endUnrecorded(row.id(), result.state(), reason, System.currentTimeMillis());
    if (ended.rowEnded()) {
      LOG.info("recorded the end of rollout {}: {}", row.id(), result.state());
    }
    return ended.rowEnded();
  }

  /** Stopped from outside (terminate, cancel) or failed: aborted, routing back to the baseline. */
  private boolean endStopped(RolloutDao.Row row, WorkflowExecutionStatus status) {
    String how =
        switch (status) {
          case WORKFLOW_EXECUTION_STATUS_TERMINATED -> "terminated";
          case WORKFLOW_EXECUTION_STATUS_CANCELED -> "cancelled";
          case WORKFLOW_EXECUTION_STATUS_TIMED_OUT -> "timed out";
          default -> "failed";
        };
    String reason =
        "workflow "
            + how
            + " in Temporal; routing reset to v"
            + row.baselineVersion()
            + " (abort rollouts through the API instead)";
    long now = System.currentTimeMillis();
    var ended = ends.endUnrecorded(row.id(), RolloutState.ABORTED, reason, now);
    if (!ended.rowEnded()) {
      return false;
    }
    LOG.warn("rollout {} was {} in Temporal: recorded as ABORTED", row.id(), how);
    alert(row, reason, now);
    return true;
  }

  /** Best effort: stored first, so an undelivered alert is still in the alerts table. */
  private void alert(RolloutDao.Row row, String reason, long atMillis) {
    RolloutSpec spec = row.spec();
    AlertEvent event =
        new AlertEvent(
            row.id(),
            row.prompt(),
            row.candidateVersion(),
            "aborted",
            RolloutState.ABORTED,
            reason,
            null,
            spec.alertWebhook(),
            atMillis);
    String key = "end-recorded/" + row.id();
    WebhookTarget target =
        alertSender.targetFor(spec.alertWebhook(), spec.alertWebhookSecret(), spec.alertFormat());
    alerts.insert(
        key,
        row.id(),
        row.prompt(),
        event.event(),
        event.state().name(),
        reason,
        null,
        target == null ? null : target.url(),
        Instant.ofEpochMilli(atMillis));
    try {
      alertSender.deliver(event, target, key);
      alerts.markDelivered(key);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.warn("could not deliver the alert for rollout {}: {}", row.id(), e.getMessage());
    }
  }

  /** The latest run's status; UNSPECIFIED when Temporal does not know the workflow. */
  private WorkflowExecutionStatus status(String workflowId) {
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
      return description.getWorkflowExecutionInfo().getStatus();
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED;
      }
      throw e;
    }
  }
}
