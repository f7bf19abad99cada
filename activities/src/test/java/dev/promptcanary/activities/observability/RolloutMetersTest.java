package dev.promptcanary.activities.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptcanary.workflows.rollout.Checkpoint;
import dev.promptcanary.workflows.rollout.RolloutState;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A stage's time to decision is recorded once, when a progress write moves past the stage. */
class RolloutMetersTest {
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final RolloutMeters meters = new RolloutMeters(registry);

  static Checkpoint at(RolloutState state, int stage, boolean entered, long startedAt) {
    return new Checkpoint(
        state, stage, entered, startedAt, 0, 600_000, 1_000, 0, 3, List.of(), List.of(), 500, null,
        0);
  }

  Timer timer(String outcome, String stage) {
    return registry
        .find("promptcanary.stage.decision")
        .tags("outcome", outcome, "stage", stage)
        .timer();
  }

  @Test
  void movingToTheNextStageRecordsHowLongTheStageRan() {
    meters.stageProgress(
        at(RolloutState.CANARY, 0, true, 10_000), at(RolloutState.CANARY, 1, false, 0), 70_000);
    assertThat(timer("NEXT_STAGE", "1").count()).isEqualTo(1);
    assertThat(timer("NEXT_STAGE", "1").totalTime(TimeUnit.MILLISECONDS)).isEqualTo(60_000);
  }

  @Test
  void endingRecordsTheFinalStateAsTheOutcome() {
    meters.stageProgress(
        at(RolloutState.CANARY, 1, true, 20_000),
        at(RolloutState.ROLLED_BACK, 1, true, 20_000),
        50_000);
    assertThat(timer("ROLLED_BACK", "2").totalTime(TimeUnit.MILLISECONDS)).isEqualTo(30_000);
  }

  @Test
  void aRetriedWriteAWriteWithinTheStageAndAStageNeverEnteredRecordNothing() {
    Checkpoint ended = at(RolloutState.ROLLED_BACK, 1, true, 20_000);
    meters.stageProgress(ended, ended, 90_000);
    meters.stageProgress(
        at(RolloutState.CANARY, 1, true, 20_000), at(RolloutState.PAUSED, 1, true, 20_000), 90_000);
    meters.stageProgress(
        at(RolloutState.PENDING_EVAL, 0, false, 0),
        at(RolloutState.EVAL_BLOCKED, 0, false, 0),
        90_000);
    meters.stageProgress(null, ended, 90_000);
    assertThat(registry.find("promptcanary.stage.decision").timers()).isEmpty();
  }
}
