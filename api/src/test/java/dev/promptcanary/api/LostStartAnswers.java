package dev.promptcanary.api;

import dev.promptcanary.worker.TemporalFactory;
import io.grpc.Status;
import io.temporal.common.interceptors.WorkflowClientCallsInterceptor;
import io.temporal.common.interceptors.WorkflowClientCallsInterceptorBase;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Temporal as a slow server looks to the API: the start of a chosen workflow reaches Temporal and
 * the workflow runs, but the API's start call fails (its deadline passed before the answer came),
 * and so does the describe the API then sends to find out whether it started. Installed as the
 * configuration's {@link TemporalFactory}, so every client the app builds goes through it.
 */
final class LostStartAnswers extends FaultyTemporalFactory {
  private final Set<String> startAnswersToLose = ConcurrentHashMap.newKeySet();
  private final Set<String> describesToFail = ConcurrentHashMap.newKeySet();

  /** The factory of {@code original} (same target, namespace and task queue), with the faults. */
  LostStartAnswers(TemporalFactory original) {
    super(original);
  }

  /** The next start of {@code workflowId} goes through, and its answer is lost. */
  void loseTheAnswerToTheStartOf(String workflowId) {
    startAnswersToLose.add(workflowId);
  }

  @Override
  WorkflowClientCallsInterceptor faults(
      WorkflowClientCallsInterceptor next, WorkflowServiceStubs stubs) {
    return new Faults(next);
  }

  private final class Faults extends WorkflowClientCallsInterceptorBase {
    Faults(WorkflowClientCallsInterceptor next) {
      super(next);
    }

    @Override
    public WorkflowStartOutput start(WorkflowStartInput input) {
      WorkflowStartOutput started = super.start(input);
      if (startAnswersToLose.remove(input.getWorkflowId())) {
        describesToFail.add(input.getWorkflowId());
        throw Status.DEADLINE_EXCEEDED
            .withDescription("the start's answer was lost (LostStartAnswers)")
            .asRuntimeException();
      }
      return started;
    }

    @Override
    public DescribeWorkflowOutput describe(DescribeWorkflowInput input) {
      if (describesToFail.remove(input.getWorkflowExecution().getWorkflowId())) {
        throw Status.UNAVAILABLE
            .withDescription("no answer to the describe (LostStartAnswers)")
            .asRuntimeException();
      }
      return super.describe(input);
    }
  }
}
