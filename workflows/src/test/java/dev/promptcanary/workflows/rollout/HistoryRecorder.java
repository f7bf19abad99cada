package dev.promptcanary.workflows.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Records the histories the replay tests guard, from the released workflow code. Run only on purpose, when a new
 * released version of the workflow should be pinned:
 * {@code mvn -pl workflows test -Dtest=HistoryRecorder -DrecordHistories=true}.
 */
@EnabledIfSystemProperty(named = "recordHistories", matches = "true")
class HistoryRecorder {
  private static final Path OUT = Path.of("src/test/resources/histories");

  @Test
  void recordRollback() throws Exception {
    FakeActivities fake = new FakeActivities();
    fake.analysis = r -> fake.looks.size() < 3
        ? FakeActivities.report(Decision.INCONCLUSIVE, GateKind.QUALITY, 40, 40)
        : FakeActivities.report(Decision.REGRESSION, GateKind.QUALITY, 90, 90);
    record(fake, "rollback-regression.json", env -> {
      RolloutWorkflow workflow = Scenarios.start(env.getWorkflowClient(), Scenarios.spec(InconclusivePolicy.HOLD, 0));
      env.sleep(Duration.ofMinutes(1));
      workflow.dataArrived(new DataArrived(0));
    });
  }

  @Test
  void recordPauseResumeBypass() throws Exception {
    FakeActivities fake = new FakeActivities();
    fake.analysis = r -> FakeActivities.report(Decision.INCONCLUSIVE, GateKind.QUALITY, 40, 40);
    record(fake, "pause-resume-bypass.json", env -> {
      RolloutWorkflow workflow = Scenarios.start(env.getWorkflowClient(), Scenarios.spec(InconclusivePolicy.HOLD, 0));
      env.sleep(Duration.ofMinutes(5));
      workflow.pause(new ControlRequest("ana", "look"));
      env.sleep(Duration.ofMinutes(5));
      workflow.resume(new ControlRequest("ana", "fine"));
      env.sleep(Duration.ofMinutes(2));
      workflow.bypass(new ControlRequest("bob", "incident 9"));
    });
  }

  @Test
  void recordJudgeHoldThenAbort() throws Exception {
    FakeActivities fake = new FakeActivities();
    fake.analysis = r -> FakeActivities.report(Decision.JUDGE_UNHEALTHY, GateKind.JUDGE_HEALTH, 200, 10);
    record(fake, "judge-hold-abort.json", env -> {
      RolloutWorkflow workflow = Scenarios.start(env.getWorkflowClient(), Scenarios.spec(InconclusivePolicy.HOLD, 0));
      env.sleep(Duration.ofMinutes(5));
      workflow.resume(new ControlRequest("ana", "judge fixed"));
      env.sleep(Duration.ofMinutes(5));
      workflow.abort(new ControlRequest("ana", "still failing"));
    });
  }

  @Test
  void recordFirstStageOfAPromotion() throws Exception {
    FakeActivities fake = new FakeActivities();
    record(fake, "promotion-first-run.json", env -> {
      Scenarios.start(env.getWorkflowClient(), Scenarios.spec(InconclusivePolicy.HOLD, 0));
    });
  }

  interface Script {
    void run(TestWorkflowEnvironment env) throws Exception;
  }

  private static void record(FakeActivities fake, String file, Script script) throws Exception {
    TestWorkflowEnvironment env = Scenarios.environment(fake);
    try {
      script.run(env);
      WorkflowStub stub = env.getWorkflowClient().newUntypedWorkflowStub(Scenarios.ID);
      stub.getResult(RolloutResult.class);
      String firstRun = fake.records.get(0).runId();
      String json = env.getWorkflowClient().fetchHistory(Scenarios.ID, firstRun).toJson(true);
      Files.createDirectories(OUT);
      Files.writeString(OUT.resolve(file), json);
      assertThat(json).contains("PromptRollout");
    } finally {
      env.close();
    }
  }
}
