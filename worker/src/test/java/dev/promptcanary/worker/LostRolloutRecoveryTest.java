package dev.promptcanary.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.promptcanary.activities.rollout.AlertSender;
import dev.promptcanary.activities.routing.RoutingState;
import dev.promptcanary.activities.store.Fixtures;
import dev.promptcanary.activities.store.PromptDao;
import dev.promptcanary.activities.store.RolloutDao;
import dev.promptcanary.activities.store.RoutingDao;
import dev.promptcanary.activities.store.TestDatabases;
import dev.promptcanary.workflows.rollout.Checkpoint;
import dev.promptcanary.workflows.rollout.ControlRequest;
import dev.promptcanary.workflows.rollout.ControlResult;
import dev.promptcanary.workflows.rollout.DataArrived;
import dev.promptcanary.workflows.rollout.RolloutInput;
import dev.promptcanary.workflows.rollout.RolloutProgress;
import dev.promptcanary.workflows.rollout.RolloutRecord;
import dev.promptcanary.workflows.rollout.RolloutResult;
import dev.promptcanary.workflows.rollout.RolloutSpec;
import dev.promptcanary.workflows.rollout.RolloutState;
import dev.promptcanary.workflows.rollout.RolloutWorkflow;
import dev.promptcanary.workflows.rollout.RoutingCommand;
import dev.promptcanary.workflows.rollout.Stage;
import dev.promptcanary.workflows.rollout.TimelineEntry;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A worker that starts against a Temporal that lost the history of unfinished rollouts re-creates
 * each from its PostgreSQL checkpoint, once, and leaves alone the ones Temporal still runs and the
 * ones no worker ever started.
 */
class LostRolloutRecoveryTest {
  private static final String QUEUE = "recovery-test";

  /** What each re-created workflow was started with, by rollout id. */
  static final Map<String, RolloutInput> STARTED = new ConcurrentHashMap<>();

  /** Stands in for the rollout: records its input and waits, so it counts as running. */
  public static class RecordingRollout implements RolloutWorkflow {
    @Override
    public RolloutResult run(RolloutInput input) {
      STARTED.put(input.rolloutId(), input);
      if (input.checkpoint().state().isFinal()) {
        // a run that ended as its checkpoint says, for the tests of an end that was not recorded
        return new RolloutResult(input.checkpoint().state(), "every stage passed its gates", 0, 0);
      }
      Workflow.await(() -> false);
      return null;
    }

    @Override
    public ControlResult bypass(ControlRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void validateBypass(ControlRequest request) {}

    @Override
    public ControlResult abort(ControlRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void validateAbort(ControlRequest request) {}

    @Override
    public ControlResult pause(ControlRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void validatePause(ControlRequest request) {}

    @Override
    public ControlResult resume(ControlRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void validateResume(ControlRequest request) {}

    @Override
    public ControlResult approve(ControlRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void validateApprove(ControlRequest request) {}

    @Override
    public void dataArrived(DataArrived signal) {}

    @Override
    public RolloutProgress progress() {
      return null;
    }
  }

  private TestWorkflowEnvironment env;
  private Jdbi jdbi;
  private RolloutDao rollouts;
  private LostRolloutRecovery recovery;

  @BeforeEach
  void start() {
    STARTED.clear();
    var db = TestDatabases.fresh();
    jdbi = db.jdbi();
    PromptDao prompts = db.jdbi().onDemand(PromptDao.class);
    prompts.createVersion("support", Fixtures.content(1), "ana");
    prompts.createVersion("support", Fixtures.content(2), "ana");
    rollouts = db.jdbi().onDemand(RolloutDao.class);
    env = TestWorkflowEnvironment.newInstance();
    Worker worker = env.newWorker(QUEUE);
    worker.registerWorkflowImplementationTypes(RecordingRollout.class);
    env.start();
    recovery =
        new LostRolloutRecovery(
            jdbi, env.getWorkflowClient(), QUEUE, new AlertSender(), Duration.ZERO);
  }

  @AfterEach
  void stop() {
    env.close();
  }

  private static RolloutSpec spec() {
    return Fixtures.spec("support", List.of(new Stage(1000, 10, 60, 600)));
  }

  private static Checkpoint atStageOne() {
    return new Checkpoint(
        RolloutState.CANARY,
        0,
        true,
        1_000,
        0,
        600_000,
        1_000,
        0,
        3,
        List.of(),
        List.of(new TimelineEntry(1_000, "stage 1 started", "canary at 10%")),
        1000,
        null,
        0);
  }

  @Test
  void aRolloutTemporalLostIsResumedOnceFromItsCheckpoint() {
    RolloutSpec spec = spec();
    rollouts.insertPending("rollout-support-2", "support", 2, 1, spec);
    rollouts.upsert(
        new RolloutRecord("rollout-support-2", "run-lost", spec, atStageOne(), null, null), 1);

    assertThat(recovery.resumeLost()).isEqualTo(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> STARTED.containsKey("rollout-support-2"));
    RolloutInput input = STARTED.get("rollout-support-2");
    assertThat(input.resumedFromRunId()).isEqualTo("run-lost");
    assertThat(input.checkpoint().stageIndex()).isZero();
    assertThat(input.checkpoint().routingSequence()).isEqualTo(3);
    assertThat(input.checkpoint().timeline())
        .extracting(TimelineEntry::event)
        .containsExactly("stage 1 started");
    assertThat(input.spec()).isEqualTo(spec);

    assertThat(recovery.resumeLost()).as("running again: nothing to resume").isZero();
  }

  @Test
  void aRolloutNoWorkerStartedOrThatEndedIsLeftAlone() {
    RolloutSpec spec = spec();
    rollouts.insertPending(
        "rollout-support-2", "support", 2, 1, spec); // reserved by an API, never started
    assertThat(recovery.resumeLost()).isZero();

    Checkpoint ended =
        new Checkpoint(
            RolloutState.PROMOTED,
            0,
            true,
            1_000,
            0,
            600_000,
            1_000,
            0,
            4,
            List.of(),
            List.of(),
            0,
            null,
            0);
    rollouts.upsert(
        new RolloutRecord("rollout-support-2", "run-done", spec, ended, "promoted", null), 2);
    assertThat(recovery.resumeLost()).isZero();
    assertThat(STARTED).isEmpty();
  }

  /** Starts the stand-in rollout in Temporal as the API would, with its row at stage 1. */
  private String runningAtStageOne(Checkpoint startedWith) {
    RolloutSpec spec = spec();
    rollouts.insertPending("rollout-support-2", "support", 2, 1, spec);
    RolloutWorkflow workflow =
        env.getWorkflowClient()
            .newWorkflowStub(
                RolloutWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setWorkflowId("rollout-support-2")
                    .setTaskQueue(QUEUE)
                    .build());
    String runId =
        WorkflowClient.start(
                workflow::run, new RolloutInput("rollout-support-2", spec, startedWith, null))
            .getRunId();
    await().atMost(Duration.ofSeconds(10)).until(() -> STARTED.containsKey("rollout-support-2"));
    STARTED.clear();
    rollouts.upsert(
        new RolloutRecord("rollout-support-2", runId, spec, atStageOne(), null, null), 1);
    var claim =
        jdbi.onDemand(RoutingDao.class)
            .applyForRollout(
                new RoutingCommand(
                    "rollout-support-2", "support", true, false, 1, 1, 2, 1000, "stage 1"));
    assertThat(claim.applied()).isTrue();
    return runId;
  }

  @Test
  void aRolloutTerminatedInTemporalIsRecordedAsAbortedNotReRun() {
    runningAtStageOne(atStageOne());
    assertThat(recovery.sweep()).isEqualTo(new LostRolloutRecovery.Sweep(0, 0, 0));

    env.getWorkflowClient().newUntypedWorkflowStub("rollout-support-2").terminate("by hand");
    assertThat(recovery.sweep()).isEqualTo(new LostRolloutRecovery.Sweep(0, 0, 1));

    RolloutDao.Row row = rollouts.find("rollout-support-2").orElseThrow();
    assertThat(row.state()).isEqualTo("ABORTED");
    assertThat(row.reason()).contains("terminated in Temporal").contains("routing reset to v1");
    assertThat(row.finishedAt()).isNotNull();
    RoutingState routing = jdbi.onDemand(RoutingDao.class).find("support").orElseThrow();
    assertThat(routing.rolloutId()).isNull();
    assertThat(routing.stableVersion()).isEqualTo(1);
    assertThat(routing.canaryWeightBp()).isZero();
    assertThat(column("SELECT event FROM alerts WHERE rollout_id = 'rollout-support-2'"))
        .containsExactly("aborted");
    assertThat(
            column(
                "SELECT action FROM audit_log WHERE rollout_id = 'rollout-support-2' ORDER BY id"))
        .containsExactly("routing.rollout", "routing.rollout", "rollout.end_recorded");

    // not re-created, now or at the next sweep
    assertThat(recovery.sweep()).isEqualTo(new LostRolloutRecovery.Sweep(0, 0, 0));
    assertThat(STARTED).isEmpty();
  }

  @Test
  void aCompletedRolloutWhoseFinalRecordFailedIsEndedFromItsResult() {
    Checkpoint promoted =
        new Checkpoint(
            RolloutState.PROMOTED,
            0,
            true,
            1_000,
            0,
            600_000,
            1_000,
            0,
            3,
            List.of(),
            List.of(),
            0,
            null,
            0);
    runningAtStageOne(promoted); // the run returns at once; the row still says stage 1
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                env.getWorkflowClient()
                        .newUntypedWorkflowStub("rollout-support-2")
                        .getResult(RolloutResult.class)
                    != null);

    assertThat(recovery.sweep()).isEqualTo(new LostRolloutRecovery.Sweep(0, 1, 0));
    RolloutDao.Row row = rollouts.find("rollout-support-2").orElseThrow();
    assertThat(row.state()).isEqualTo("PROMOTED");
    assertThat(row.reason()).startsWith("every stage passed its gates");
    RoutingState routing = jdbi.onDemand(RoutingDao.class).find("support").orElseThrow();
    assertThat(routing.stableVersion()).isEqualTo(2);
    assertThat(routing.rolloutId()).isNull();
    assertThat(STARTED).as("not re-created").isEmpty();
    assertThat(column("SELECT event FROM alerts")).as("the run alerted its own end").isEmpty();
  }

  private List<String> column(String sql) {
    return jdbi.withHandle(h -> h.select(sql).mapTo(String.class).list());
  }
}
