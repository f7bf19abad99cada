package dev.promptcanary.api;

import dev.promptcanary.worker.TemporalFactory;
import io.grpc.Status;
import io.temporal.common.interceptors.WorkflowClientCallsInterceptor;
import io.temporal.common.interceptors.WorkflowClientCallsInterceptorBase;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Temporal as a very slow server looks to the API: a chosen workflow's describe, query or the
 * answer to its start (the start itself goes through) does not come until the test releases it, or
 * for at most {@link #LONGEST_HANG_SECONDS}, then the call goes on as if nothing happened. The wait
 * is not a gRPC deadline: only the caller's own bound (an interrupt) ends it early. Installed as
 * the configuration's {@link TemporalFactory}, so every client the app builds goes through it.
 */
final class HangingTemporalCalls extends FaultyTemporalFactory {
  /**
   * Past the test client's patience ({@code postOnce}: 60 s), so a wait nothing bounds fails the
   * test on the client's timeout at worst, never by a figure of its own.
   */
  static final int LONGEST_HANG_SECONDS = 90;

  private final Set<String> describes = ConcurrentHashMap.newKeySet();
  private final Set<String> queries = ConcurrentHashMap.newKeySet();
  private final Set<String> startAnswers = ConcurrentHashMap.newKeySet();
  private volatile CountDownLatch released = new CountDownLatch(1);

  /** The factory of {@code original} (same target, namespace and task queue), with the hangs. */
  HangingTemporalCalls(TemporalFactory original) {
    super(original);
  }

  void hangDescribesOf(String workflowId) {
    describes.add(workflowId);
  }

  void hangQueriesOf(String workflowId) {
    queries.add(workflowId);
  }

  /** The next start of {@code workflowId} goes through; its answer hangs. */
  void hangTheStartAnswerOf(String workflowId) {
    startAnswers.add(workflowId);
  }

  /** Every hang armed ends, and the calls hanging now go on. */
  void release() {
    describes.clear();
    queries.clear();
    startAnswers.clear();
    CountDownLatch hanging = released;
    released = new CountDownLatch(1);
    hanging.countDown();
  }

  private void hang(String what) {
    try {
      released.await(LONGEST_HANG_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Status.CANCELLED
          .withDescription(what + " interrupted while hanging (HangingTemporalCalls)")
          .asRuntimeException();
    }
  }

  @Override
  WorkflowClientCallsInterceptor faults(
      WorkflowClientCallsInterceptor next, WorkflowServiceStubs stubs) {
    return new Hangs(next);
  }

  private final class Hangs extends WorkflowClientCallsInterceptorBase {
    Hangs(WorkflowClientCallsInterceptor next) {
      super(next);
    }

    @Override
    public WorkflowStartOutput start(WorkflowStartInput input) {
      WorkflowStartOutput started = super.start(input);
      if (startAnswers.remove(input.getWorkflowId())) {
        hang("start");
      }
      return started;
    }

    @Override
    public DescribeWorkflowOutput describe(DescribeWorkflowInput input) {
      if (describes.contains(input.getWorkflowExecution().getWorkflowId())) {
        hang("describe");
      }
      return super.describe(input);
    }

    @Override
    public <R> QueryOutput<R> query(QueryInput<R> input) {
      if (queries.contains(input.getWorkflowExecution().getWorkflowId())) {
        hang("query");
      }
      return super.query(input);
    }
  }
}
