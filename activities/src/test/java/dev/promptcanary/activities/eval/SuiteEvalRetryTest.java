package dev.promptcanary.activities.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.promptcanary.activities.model.JudgeScore;
import dev.promptcanary.activities.rollout.AlertSender;
import dev.promptcanary.activities.rollout.RolloutActivitiesImpl;
import dev.promptcanary.activities.store.EvalDao;
import dev.promptcanary.activities.store.PromptDao;
import dev.promptcanary.activities.store.TestDatabases;
import dev.promptcanary.serving.PromptContent;
import dev.promptcanary.workflows.rollout.EvalRequest;
import dev.promptcanary.workflows.rollout.EvalSummary;
import dev.promptcanary.workflows.rollout.RolloutActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.RetryOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * The eval run is keyed by the rollout id: Temporal's retry of a dead attempt, and a new workflow
 * run of the same rollout, both resume it without redoing stored cases.
 */
class SuiteEvalRetryTest {

  @WorkflowInterface
  public interface EvalOnly {
    @WorkflowMethod
    EvalSummary run(EvalRequest request);
  }

  public static class EvalOnlyImpl implements EvalOnly {
    @Override
    public EvalSummary run(EvalRequest request) {
      RolloutActivities activities =
          Workflow.newActivityStub(
              RolloutActivities.class,
              ActivityOptions.newBuilder()
                  .setStartToCloseTimeout(Duration.ofMinutes(10))
                  .setHeartbeatTimeout(Duration.ofMinutes(2))
                  .setRetryOptions(
                      RetryOptions.newBuilder()
                          .setInitialInterval(Duration.ofSeconds(5))
                          .setMaximumAttempts(3)
                          .build())
                  .build());
      return activities.runOfflineEval(request);
    }
  }

  /**
   * A fresh store with support v1 (baseline) and v2 (candidate) and a suite of four cases answered
   * "ok".
   */
  private static Jdbi storeWithSuite(String suite) {
    Jdbi jdbi = TestDatabases.fresh().jdbi();
    PromptDao prompts = jdbi.onDemand(PromptDao.class);
    prompts.createVersion("support", content("baseline"), "ana");
    prompts.createVersion("support", content("candidate"), "ana");
    List<EvalCase> cases =
        IntStream.rangeClosed(1, 4)
            .mapToObj(
                i ->
                    new EvalCase(
                        "c" + i,
                        Map.of("n", String.valueOf(i)),
                        List.of(Assertion.of("contains", "ok"))))
            .toList();
    jdbi.onDemand(EvalDao.class)
        .createSuite(new EvalSuite(suite, cases, new EvalGate(1.0, null, null)), "ana");
    return jdbi;
  }

  @Test
  void aRetriedAttemptResumesTheSameRunWithoutRedoingStoredCases() {
    Jdbi jdbi = storeWithSuite("retry");
    EvalDao evals = jdbi.onDemand(EvalDao.class);

    AtomicBoolean dying = new AtomicBoolean(true);
    FakeModel model =
        new FakeModel(
            (system, user) -> {
              if (user.startsWith("Q3") && dying.getAndSet(false)) {
                throw new Error("worker is going down");
              }
              return "ok";
            });

    TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
    try {
      Worker worker = env.newWorker("eval-retry");
      worker.registerWorkflowImplementationTypes(EvalOnlyImpl.class);
      worker.registerActivitiesImplementations(
          new RolloutActivitiesImpl(
              jdbi,
              new SuiteEvalRunner(jdbi, model, r -> new JudgeScore(1, "", "j", "r"), 1),
              new AlertSender()));
      env.start();
      EvalOnly workflow =
          env.getWorkflowClient()
              .newWorkflowStub(
                  EvalOnly.class,
                  WorkflowOptions.newBuilder()
                      .setTaskQueue("eval-retry")
                      .setWorkflowId("rollout-support-2")
                      .build());

      EvalSummary summary =
          workflow.run(new EvalRequest("rollout-support-2", "support", 2, 1, "retry"));

      assertThat(summary.passed()).isTrue();
      assertThat(summary.cases()).isEqualTo(4);
      // attempt 1: c1, c2 (both arms) stored, then dies on c3; attempt 2: only the 4 case runs left
      assertThat(model.calls.get()).isEqualTo(5 + 4);
      assertThat(model.answered.values()).extracting(AtomicInteger::get).containsOnly(1);
      EvalRun run = evals.latestRun("rollout-support-2").orElseThrow();
      assertThat(run.runKey()).isEqualTo("rollout-support-2");
      assertThat(run.state()).isEqualTo("PASSED");
      int runs =
          jdbi.withHandle(
              h -> h.createQuery("SELECT count(*) FROM eval_runs").mapTo(Integer.class).one());
      assertThat(runs).isEqualTo(1);
    } finally {
      env.close();
    }
  }

  /**
   * A rollout whose workflow run ended mid-eval (here: every attempt died on the same case) and
   * that is started again as a new run of the same workflow id, as LostRolloutRecovery does from
   * the checkpoint: the new run finds the eval run by the rollout id, calls the model only for the
   * pairs not stored yet, and once the eval has a verdict, a further run returns the stored summary
   * without calling the model at all.
   */
  @Test
  void aNewWorkflowRunOfTheSameRolloutResumesTheEvalAndThenReusesItsVerdict() {
    Jdbi jdbi = storeWithSuite("recovered");
    EvalDao evals = jdbi.onDemand(EvalDao.class);

    AtomicBoolean workerDown = new AtomicBoolean(true);
    FakeModel model =
        new FakeModel(
            (system, user) -> {
              if (user.startsWith("Q3") && workerDown.get()) {
                throw new Error("worker is going down");
              }
              return "ok";
            });
    EvalRequest request = new EvalRequest("rollout-support-2", "support", 2, 1, "recovered");

    TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
    try {
      Worker worker = env.newWorker("eval-recovery");
      worker.registerWorkflowImplementationTypes(EvalOnlyImpl.class);
      worker.registerActivitiesImplementations(
          new RolloutActivitiesImpl(
              jdbi,
              new SuiteEvalRunner(jdbi, model, r -> new JudgeScore(1, "", "j", "r"), 1),
              new AlertSender()));
      env.start();
      WorkflowClient client = env.getWorkflowClient();

      // The first workflow run: c1 and c2 stored (both arms), then every attempt dies on c3 and the
      // run fails.
      WorkflowStub first = start(client, request);
      assertThatThrownBy(() -> first.getResult(EvalSummary.class))
          .isInstanceOf(WorkflowFailedException.class);
      EvalRun interrupted = evals.findRun("rollout-support-2").orElseThrow();
      assertThat(interrupted.state()).isEqualTo("RUNNING");
      assertThat(evals.results(interrupted.id()))
          .extracting(r -> r.caseId() + "/" + r.arm())
          .containsExactlyInAnyOrder("c1/candidate", "c1/baseline", "c2/candidate", "c2/baseline");
      // 4 stored pairs, then c3's candidate once per attempt
      assertThat(model.calls.get()).isEqualTo(4 + 3);

      // A new run of the same workflow id, as after a lost history: only the 4 pairs not stored are
      // asked.
      workerDown.set(false);
      WorkflowStub second = start(client, request);
      assertThat(second.getExecution().getRunId()).isNotEqualTo(first.getExecution().getRunId());
      EvalSummary summary = second.getResult(EvalSummary.class);
      assertThat(summary.passed()).as(summary.reason()).isTrue();
      assertThat(summary.cases()).isEqualTo(4);
      assertThat(model.calls.get()).isEqualTo(4 + 3 + 4);
      assertThat(model.answered).hasSize(8);
      assertThat(model.answered.values()).extracting(AtomicInteger::get).containsOnly(1);

      // Yet another run after the verdict: the stored summary, no model call.
      EvalSummary again = start(client, request).getResult(EvalSummary.class);
      assertThat(again).isEqualTo(summary);
      assertThat(model.calls.get()).isEqualTo(4 + 3 + 4);

      EvalRun run = evals.findRun("rollout-support-2").orElseThrow();
      assertThat(run.id()).isEqualTo(interrupted.id());
      assertThat(run.state()).isEqualTo("PASSED");
      assertThat(evals.results(run.id())).hasSize(8);
      int runs =
          jdbi.withHandle(
              h -> h.createQuery("SELECT count(*) FROM eval_runs").mapTo(Integer.class).one());
      assertThat(runs).isEqualTo(1);
    } finally {
      env.close();
    }
  }

  private static WorkflowStub start(WorkflowClient client, EvalRequest request) {
    WorkflowStub stub =
        client.newUntypedWorkflowStub(
            "EvalOnly",
            WorkflowOptions.newBuilder()
                .setTaskQueue("eval-recovery")
                .setWorkflowId(request.rolloutId())
                .setWorkflowIdReusePolicy(
                    WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                .build());
    stub.start(request);
    return stub;
  }

  private static PromptContent content(String variant) {
    return new PromptContent(
        "You are support (" + variant + ").", List.of(), "Q{{n}}", "sim-model", Map.of());
  }
}
