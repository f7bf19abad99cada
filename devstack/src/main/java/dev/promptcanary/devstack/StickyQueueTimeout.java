package dev.promptcanary.devstack;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import io.grpc.Channel;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.QueryResultType;
import io.temporal.api.enums.v1.TaskQueueKind;
import io.temporal.api.enums.v1.WorkflowTaskFailedCause;
import io.temporal.api.failure.v1.Failure;
import io.temporal.api.taskqueue.v1.StickyExecutionAttributes;
import io.temporal.api.taskqueue.v1.TaskQueue;
import io.temporal.api.workflowservice.v1.PollWorkflowTaskQueueRequest;
import io.temporal.api.workflowservice.v1.PollWorkflowTaskQueueResponse;
import io.temporal.api.workflowservice.v1.RespondQueryTaskCompletedRequest;
import io.temporal.api.workflowservice.v1.RespondWorkflowTaskCompletedRequest;
import io.temporal.api.workflowservice.v1.RespondWorkflowTaskFailedRequest;
import io.temporal.api.workflowservice.v1.WorkflowServiceGrpc;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sticky schedule-to-start timeout that Temporal's Java test server lacks.
 *
 * <p>A worker that completes a workflow task asks for the workflow's next task on its own sticky
 * task queue, with a schedule-to-start timeout (5 s unless the worker says otherwise). A real
 * Temporal server moves a task that no one picks up from a sticky queue within that timeout back to
 * the workflow's normal task queue, so when a worker dies another one carries on. The test server
 * never does: a workflow whose worker was killed waits on the dead worker's queue for ever. Its API
 * does not even say which sticky queue a workflow is on (the name holds a random id of the worker
 * instance), so a worker cannot clean up after a dead one; the server can, by watching its own
 * traffic.
 *
 * <p>As a gRPC interceptor of the embedded server this learns every sticky queue and its timeout
 * from the workers' completed workflow tasks, and sees from their long polls whether a worker still
 * listens on it. Once a sticky queue has had no poller for its timeout, it polls that queue itself
 * and hands back what it finds: a workflow task fails with cause {@code RESET_STICKY_TASK_QUEUE},
 * which makes the server drop the workflow's stickiness and schedule the task again on the normal
 * queue (the history shows the failed attempt and the retry); a query is answered with an error. A
 * worker that polls the queue again makes it live again. Only the {@code dev} command's embedded
 * server has this; a worker does nothing special, whatever server it talks to.
 */
public final class StickyQueueTimeout implements ServerInterceptor, AutoCloseable {
  /** The identity this uses towards the server; its own polls do not count as a live worker. */
  public static final String IDENTITY = "promptcanary-dev/sticky-queue-timeout";

  private static final Logger LOG = LoggerFactory.getLogger(StickyQueueTimeout.class);
  private static final long DEFAULT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);
  private static final long TICK_MILLIS = 250;
  private static final long POLL_SECONDS = 20;
  private static final String POLL =
      WorkflowServiceGrpc.getPollWorkflowTaskQueueMethod().getFullMethodName();
  private static final String COMPLETED =
      WorkflowServiceGrpc.getRespondWorkflowTaskCompletedMethod().getFullMethodName();

  private final Map<String, StickyQueue> queues = new ConcurrentHashMap<>();
  private final ScheduledExecutorService reaper =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "sticky-queue-timeout");
            t.setDaemon(true);
            return t;
          });
  private volatile WorkflowServiceGrpc.WorkflowServiceFutureStub service;

  /** One worker's sticky queue, as seen from the server. Guarded by its own monitor. */
  private static final class StickyQueue {
    final String name;
    String namespace;
    String normalName;
    long timeoutNanos = DEFAULT_TIMEOUT_NANOS;
    int livePolls;
    long lastPollerNanos = System.nanoTime();
    boolean reaping;
    boolean reported;

    StickyQueue(String name) {
      this.name = name;
    }

    boolean abandoned(long now) {
      return livePolls == 0 && now - lastPollerNanos >= timeoutNanos && namespace != null;
    }
  }

  /**
   * Starts taking tasks back from abandoned sticky queues, talking to the server over {@code
   * channel}.
   */
  public void start(Channel channel) {
    service = WorkflowServiceGrpc.newFutureStub(channel);
    reaper.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    reaper.shutdownNow();
  }

  // ---- watching the traffic
  // ------------------------------------------------------------------------------

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    if (method.equals(POLL)) {
      return watchPoll(call, headers, next);
    }
    if (method.equals(COMPLETED)) {
      return new SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
        @Override
        public void onMessage(Q message) {
          RespondWorkflowTaskCompletedRequest request =
              (RespondWorkflowTaskCompletedRequest) message;
          if (request.hasStickyAttributes()) {
            stickyRequested(request.getNamespace(), request.getStickyAttributes());
          }
          super.onMessage(message);
        }
      };
    }
    return next.startCall(call, headers);
  }

  private <Q, R> ServerCall.Listener<Q> watchPoll(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    StickyQueue[] polled = new StickyQueue[1];
    AtomicBoolean ended = new AtomicBoolean();
    Runnable end =
        () -> {
          if (polled[0] != null && ended.compareAndSet(false, true)) {
            pollEnded(polled[0]);
          }
        };
    ServerCall<Q, R> watched =
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            end.run();
            super.close(status, trailers);
          }
        };
    return new SimpleForwardingServerCallListener<>(next.startCall(watched, headers)) {
      @Override
      public void onMessage(Q message) {
        PollWorkflowTaskQueueRequest request = (PollWorkflowTaskQueueRequest) message;
        TaskQueue queue = request.getTaskQueue();
        if (queue.getKind() == TaskQueueKind.TASK_QUEUE_KIND_STICKY
            && !IDENTITY.equals(request.getIdentity())) {
          polled[0] = pollBegan(queue.getName());
        }
        super.onMessage(message);
      }

      @Override
      public void onCancel() {
        end.run();
        super.onCancel();
      }
    };
  }

  private void stickyRequested(String namespace, StickyExecutionAttributes attributes) {
    StickyQueue queue =
        queues.computeIfAbsent(attributes.getWorkerTaskQueue().getName(), StickyQueue::new);
    synchronized (queue) {
      queue.namespace = namespace;
      queue.normalName = attributes.getWorkerTaskQueue().getNormalName();
      if (attributes.hasScheduleToStartTimeout()) {
        var timeout = attributes.getScheduleToStartTimeout();
        long nanos = TimeUnit.SECONDS.toNanos(timeout.getSeconds()) + timeout.getNanos();
        queue.timeoutNanos = nanos > 0 ? nanos : DEFAULT_TIMEOUT_NANOS;
      }
    }
  }

  private StickyQueue pollBegan(String name) {
    StickyQueue queue = queues.computeIfAbsent(name, StickyQueue::new);
    synchronized (queue) {
      queue.livePolls++;
      queue.lastPollerNanos = System.nanoTime();
      queue.reported = false;
    }
    return queue;
  }

  private static void pollEnded(StickyQueue queue) {
    synchronized (queue) {
      queue.livePolls--;
      queue.lastPollerNanos = System.nanoTime();
    }
  }

  // ---- taking tasks back
  // ---------------------------------------------------------------------------------

  private void tick() {
    long now = System.nanoTime();
    for (StickyQueue queue : queues.values()) {
      synchronized (queue) {
        if (queue.reaping || !queue.abandoned(now)) {
          continue;
        }
        queue.reaping = true;
        if (!queue.reported) {
          queue.reported = true;
          LOG.info(
              "sticky task queue {} has had no poller for {} ms: its worker is gone; its workflow tasks go"
                  + " back to task queue {}",
              queue.name,
              TimeUnit.NANOSECONDS.toMillis(queue.timeoutNanos),
              queue.normalName);
        }
      }
      poll(queue);
    }
  }

  private void poll(StickyQueue queue) {
    PollWorkflowTaskQueueRequest request =
        PollWorkflowTaskQueueRequest.newBuilder()
            .setNamespace(queue.namespace)
            .setTaskQueue(
                TaskQueue.newBuilder()
                    .setName(queue.name)
                    .setKind(TaskQueueKind.TASK_QUEUE_KIND_STICKY)
                    .setNormalName(queue.normalName))
            .setIdentity(IDENTITY)
            .build();
    Futures.addCallback(
        service.withDeadlineAfter(POLL_SECONDS, TimeUnit.SECONDS).pollWorkflowTaskQueue(request),
        new FutureCallback<>() {
          @Override
          public void onSuccess(PollWorkflowTaskQueueResponse task) {
            try {
              handBack(queue, task);
            } finally {
              done(queue);
            }
          }

          @Override
          public void onFailure(Throwable t) {
            if (!(t instanceof StatusRuntimeException e
                && e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED)) {
              LOG.debug("poll of abandoned sticky queue {} failed: {}", queue.name, t.toString());
            }
            done(queue);
          }
        },
        reaper);
  }

  private static void done(StickyQueue queue) {
    synchronized (queue) {
      queue.reaping = false;
    }
  }

  private void handBack(StickyQueue queue, PollWorkflowTaskQueueResponse task) {
    if (task.getTaskToken().isEmpty()) {
      return; // the poll ended with nothing to take
    }
    String workflowId = task.getWorkflowExecution().getWorkflowId();
    try {
      if (task.hasQuery()) {
        service
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .respondQueryTaskCompleted(
                RespondQueryTaskCompletedRequest.newBuilder()
                    .setNamespace(queue.namespace)
                    .setTaskToken(task.getTaskToken())
                    .setCompletedType(QueryResultType.QUERY_RESULT_TYPE_FAILED)
                    .setErrorMessage(
                        "the worker of sticky task queue " + queue.name + " is gone; try again")
                    .build())
            .get(5, TimeUnit.SECONDS);
        return;
      }
      service
          .withDeadlineAfter(5, TimeUnit.SECONDS)
          .respondWorkflowTaskFailed(
              RespondWorkflowTaskFailedRequest.newBuilder()
                  .setNamespace(queue.namespace)
                  .setTaskToken(task.getTaskToken())
                  .setCause(
                      WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_STICKY_TASK_QUEUE)
                  .setIdentity(IDENTITY)
                  .setFailure(
                      Failure.newBuilder()
                          .setMessage(
                              "sticky task queue "
                                  + queue.name
                                  + " had no poller for its schedule-to-start timeout; moved to task queue "
                                  + queue.normalName))
                  .build())
          .get(5, TimeUnit.SECONDS);
      LOG.info(
          "moved the workflow task of {} from abandoned sticky queue {} to task queue {}",
          workflowId,
          queue.name,
          queue.normalName);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.warn(
          "could not move the workflow task of {} off sticky queue {}: {}",
          workflowId,
          queue.name,
          e.toString());
    }
  }
}
