package dev.promptcanary.workflows.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;
import io.temporal.client.WorkflowClient;
import io.temporal.testing.TestWorkflowEnvironment;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A day of baking with a look every 10 seconds (continuous traffic, as the ingest nudges would
 * cause) keeps each run's history under 5,000 events: the rollout continues as new well before, and
 * carries its state over.
 */
@Tag("slow")
class RolloutHistoryBoundTest {

  @Test
  void aDayOfContinuousLooksStaysUnderFiveThousandEventsPerRun() {
    FakeActivities fake = new FakeActivities();
    fake.analysis = r -> FakeActivities.report(Decision.INCONCLUSIVE, GateKind.QUALITY, 50, 50);
    TestWorkflowEnvironment env = Scenarios.environment(fake);
    try {
      WorkflowClient client = env.getWorkflowClient();
      RolloutSpec spec =
          Scenarios.spec(
              List.of(new Stage(500, 100, 600, 26 * 3600)), InconclusivePolicy.HOLD, 0, 10, null);
      RolloutWorkflow workflow = Scenarios.start(client, spec);

      env.sleep(Duration.ofHours(24));

      RolloutProgress progress = workflow.progress();
      assertThat(progress.state()).isEqualTo(RolloutState.CANARY);
      assertThat(progress.canaryWeightBp()).isEqualTo(500);
      assertThat(fake.looks.size()).isGreaterThan(8000);
      Set<String> runs =
          fake.records.stream().map(RolloutRecord::runId).collect(Collectors.toSet());
      assertThat(runs).hasSizeGreaterThan(5);
      for (String run : runs) {
        assertThat(client.fetchHistory(Scenarios.ID, run).getEvents())
            .as("events of run " + run)
            .hasSizeLessThan(5000);
      }
      // the stage's clock and the routing fence survived every run: one routing write, one stage
      // start
      assertThat(fake.routing).hasSize(1);
      assertThat(fake.looks)
          .extracting(AnalysisRequest::stageSinceMillis)
          .containsOnly(fake.looks.get(0).stageSinceMillis());
      workflow.abort(new ControlRequest("ana", "end of test"));
    } finally {
      env.close();
    }
  }
}
