package dev.promptcanary.api;

import dev.promptcanary.worker.TemporalFactory;
import dev.promptcanary.workflows.rollout.ControlRequest;
import dev.promptcanary.workflows.rollout.RolloutResult;
import dev.promptcanary.workflows.rollout.RolloutWorkflow;
import io.grpc.Status;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowUpdateHandle;
import io.temporal.common.interceptors.WorkflowClientCallsInterceptor;
import io.temporal.common.interceptors.WorkflowClientCallsInterceptorBase;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Two API nodes' aborts racing, as the real Temporal server answers the one that loses: the next
 * control update to a chosen workflow is preceded by another node's abort (sent, answered and its
 * run closed), never reaches the workflow, and the wait for its result is answered NOT_FOUND
 * "workflow execution already completed". Installed as the configuration's {@link TemporalFactory},
 * so every client the app builds goes through it.
 */
final class RunEndsBeforeTheUpdate extends FaultyTemporalFactory {
  private final Map<String, ControlRequest> racingAborts = new ConcurrentHashMap<>();

  /** The factory of {@code original} (same target, namespace and task queue), with the race. */
  RunEndsBeforeTheUpdate(TemporalFactory original) {
    super(original);
  }

  /** The next control update to {@code workflowId} loses the race to {@code abort}. */
  void abortFirst(String workflowId, ControlRequest abort) {
    racingAborts.put(workflowId, abort);
  }

  @Override
  WorkflowClientCallsInterceptor faults(
      WorkflowClientCallsInterceptor next, WorkflowServiceStubs stubs) {
    WorkflowClient otherNode =
        WorkflowClient.newInstance(
            stubs, WorkflowClientOptions.newBuilder().setNamespace(getNamespace()).build());
    return new Race(next, otherNode);
  }

  private final class Race extends WorkflowClientCallsInterceptorBase {
    private final WorkflowClient otherNode;

    Race(WorkflowClientCallsInterceptor next, WorkflowClient otherNode) {
      super(next);
      this.otherNode = otherNode;
    }

    @Override
    public <R> WorkflowUpdateHandle<R> startUpdate(StartUpdateInput<R> input) {
      String workflowId = input.getWorkflowExecution().getWorkflowId();
      ControlRequest abort = racingAborts.remove(workflowId);
      if (abort == null) {
        return super.startUpdate(input);
      }
      otherNode.newWorkflowStub(RolloutWorkflow.class, workflowId).abort(abort);
      otherNode.newUntypedWorkflowStub(workflowId).getResult(RolloutResult.class);
      return new RunCompleted<>(input.getWorkflowExecution(), input.getUpdateId());
    }
  }

  /**
   * The handle of an update the run closed before accepting: the wait for its result is answered
   * NOT_FOUND, which the SDK passes on as it is (it cannot tell a closed run from an unknown
   * update).
   */
  private record RunCompleted<R>(WorkflowExecution execution, String id)
      implements WorkflowUpdateHandle<R> {
    @Override
    public WorkflowExecution getExecution() {
      return execution;
    }

    @Override
    public String getId() {
      return id;
    }

    @Override
    public R getResult() {
      throw Status.NOT_FOUND
          .withDescription("workflow execution already completed (RunEndsBeforeTheUpdate)")
          .asRuntimeException();
    }

    @Override
    public R getResult(long timeout, TimeUnit unit) {
      return getResult();
    }

    @Override
    public CompletableFuture<R> getResultAsync() {
      return CompletableFuture.supplyAsync(this::getResult);
    }

    @Override
    public CompletableFuture<R> getResultAsync(long timeout, TimeUnit unit) {
      return getResultAsync();
    }
  }
}
