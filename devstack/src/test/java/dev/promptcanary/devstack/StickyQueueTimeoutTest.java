package dev.promptcanary.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.promptcanary.api.TestApps;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.WorkflowTaskFailedCause;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The embedded server's sticky queue timeout, with real workers over gRPC: a workflow whose worker
 * vanished moves to a live worker, and a live worker that is merely idle keeps its workflows.
 */
class StickyQueueTimeoutTest {
  private static final String QUEUE = "sticky-timeout-test";

  /** Workers ask for a 1 s sticky timeout (the default is 5 s), which the server must honour. */
  private static final Duration STICKY_TIMEOUT = Duration.ofSeconds(1);

  @WorkflowInterface
  public interface Collector {
    @WorkflowMethod
    String collect(int expected);

    @SignalMethod
    void add(String item);

    @QueryMethod
    int count();
  }

  public static class CollectorImpl implements Collector {
    private final List<String> items = new ArrayList<>();

    @Override
    public String collect(int expected) {
      Workflow.await(() -> items.size() >= expected);
      return String.join(",", items);
    }

    @Override
    public void add(String item) {
      items.add(item);
    }

    @Override
    public int count() {
      return items.size();
    }
  }

  private EmbeddedTemporal temporal;
  private final List<WorkflowServiceStubs> allStubs = new ArrayList<>();
  private final List<WorkerFactory> factories = new ArrayList<>();
  private WorkflowClient client;

  @BeforeEach
  void startServer() throws IOException {
    temporal = EmbeddedTemporal.start(TestApps.freePort());
    client = client("test-client");
  }

  @AfterEach
  void stopAll() {
    factories.forEach(WorkerFactory::shutdownNow);
    allStubs.forEach(WorkflowServiceStubs::shutdownNow);
    temporal.close();
  }

  @Test
  void aWorkflowWhoseWorkerVanishedFinishesOnAnotherWorker() throws Exception {
    WorkflowServiceStubs deadStubs = stubs();
    WorkerFactory dead = worker(WorkflowClient.newInstance(deadStubs, options("worker-a")));
    Collector workflow = start("moved");
    workflow.add("one");
    awaitCount(workflow, 1); // worker-a handled it, and the workflow is now sticky to worker-a

    // The worker's connection goes away as if its process was killed: no graceful shutdown reaches
    // the server.
    deadStubs.shutdownNow();
    dead.shutdownNow();
    worker(client("worker-b"));
    workflow.add("two");

    String result = WorkflowStub.fromTyped(workflow).getResult(60, TimeUnit.SECONDS, String.class);
    assertThat(result).isEqualTo("one,two");

    List<HistoryEvent> events = client.fetchHistory("moved").getEvents();
    List<HistoryEvent> failures = ofType(events, EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
    assertThat(failures).hasSize(1);
    assertThat(failures.get(0).getWorkflowTaskFailedEventAttributes().getCause())
        .isEqualTo(WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_STICKY_TASK_QUEUE);
    assertThat(failures.get(0).getWorkflowTaskFailedEventAttributes().getIdentity())
        .isEqualTo(StickyQueueTimeout.IDENTITY);
    // worker-a until it vanished, then the timeout's hand-back, then worker-b.
    List<String> starters =
        ofType(events, EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED).stream()
            .map(e -> e.getWorkflowTaskStartedEventAttributes().getIdentity())
            .toList();
    assertThat(starters).endsWith(StickyQueueTimeout.IDENTITY, "worker-b");
    assertThat(starters.subList(0, starters.size() - 2)).isNotEmpty().containsOnly("worker-a");
    HistoryEvent retry =
        events.stream()
            .filter(e -> e.getEventId() > failures.get(0).getEventId())
            .filter(e -> e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
            .findFirst()
            .orElseThrow();
    assertThat(retry.getWorkflowTaskScheduledEventAttributes().getTaskQueue().getName())
        .isEqualTo(QUEUE);
  }

  @Test
  void anIdleLiveWorkerKeepsItsWorkflows() throws Exception {
    worker(client("worker-a"));
    Collector workflow = start("kept");
    workflow.add("one");
    awaitCount(workflow, 1);
    // Idle for several sticky timeouts: a worker that still polls its sticky queue is alive,
    // however quiet. (Time
    // left to pass on purpose, not a poll.)
    Thread.sleep(STICKY_TIMEOUT.multipliedBy(3).toMillis());
    workflow.add("two");

    assertThat(WorkflowStub.fromTyped(workflow).getResult(30, TimeUnit.SECONDS, String.class))
        .isEqualTo("one,two");
    List<HistoryEvent> events = client.fetchHistory("kept").getEvents();
    assertThat(ofType(events, EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)).isEmpty();
    assertThat(
            ofType(events, EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED).stream()
                .map(e -> e.getWorkflowTaskStartedEventAttributes().getIdentity()))
        .containsOnly("worker-a");
  }

  private Collector start(String workflowId) {
    Collector workflow =
        client.newWorkflowStub(
            Collector.class,
            WorkflowOptions.newBuilder().setWorkflowId(workflowId).setTaskQueue(QUEUE).build());
    WorkflowClient.start(workflow::collect, 2);
    return workflow;
  }

  private static void awaitCount(Collector workflow, int expected) {
    await("the workflow seeing " + expected + " signals")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(workflow::count, count -> count == expected);
  }

  private WorkerFactory worker(WorkflowClient workerClient) {
    WorkerFactory factory = WorkerFactory.newInstance(workerClient);
    factory
        .newWorker(
            QUEUE,
            WorkerOptions.newBuilder().setStickyQueueScheduleToStartTimeout(STICKY_TIMEOUT).build())
        .registerWorkflowImplementationTypes(CollectorImpl.class);
    factory.start();
    factories.add(factory);
    return factory;
  }

  private WorkflowClient client(String identity) {
    return WorkflowClient.newInstance(stubs(), options(identity));
  }

  private static WorkflowClientOptions options(String identity) {
    return WorkflowClientOptions.newBuilder().setIdentity(identity).build();
  }

  private WorkflowServiceStubs stubs() {
    WorkflowServiceStubs stubs = TestTemporal.stubsAt(temporal.port());
    allStubs.add(stubs);
    return stubs;
  }

  private static List<HistoryEvent> ofType(List<HistoryEvent> events, EventType type) {
    return events.stream().filter(e -> e.getEventType() == type).toList();
  }
}
