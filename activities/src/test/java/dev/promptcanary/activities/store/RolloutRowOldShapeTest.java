package dev.promptcanary.activities.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptcanary.workflows.domain.Verdict;
import dev.promptcanary.workflows.rollout.RolloutSpec;
import dev.promptcanary.workflows.rollout.Stage;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * Read-model rows written before the stable arm was renamed (from baseline…) hold checkpoints whose
 * verdicts say {@code baselineN}; they must still load, into the new names. (This file is skipped
 * by scripts/dev/rename-arms.py: it must keep the old names.)
 */
class RolloutRowOldShapeTest {

  private static final String OLD_CHECKPOINT =
      """
      {"state":"CANARY","stageIndex":0,"stageEntered":true,"stageStartedAtMillis":1,\
      "pausedMillis":0,"stageBudgetMillis":60000,"canaryStartedAtMillis":1,"extensionsUsed":0,\
      "routingSequence":1,"lastVerdicts":[{"gate":"QUALITY","decision":"INCONCLUSIVE",\
      "canaryN":30,"baselineN":270,"estimate":0.01,"lower":-0.2,"upper":0.3,\
      "threshold":-0.05,"reason":"too few"}],"timeline":[],"canaryWeightBp":500}""";

  @Test
  void aCheckpointStoredWithBaselineNLoadsAsStableN() {
    Jdbi jdbi = TestDatabases.fresh().jdbi();
    Fixtures.twoVersionsOf(jdbi, "chat");
    RolloutDao rollouts = jdbi.onDemand(RolloutDao.class);
    rollouts.insertPending("rollout-chat-2", "chat", 2, 1, spec());
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    "UPDATE rollouts SET state = 'CANARY', checkpoint = CAST(:json AS jsonb)"
                        + " WHERE id = 'rollout-chat-2'")
                .bind("json", OLD_CHECKPOINT)
                .execute());

    RolloutDao.Row row = rollouts.find("rollout-chat-2").orElseThrow();

    assertThat(row.checkpoint().lastVerdicts())
        .extracting(Verdict::canaryN, Verdict::stableN)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(30L, 270L));
    assertThat(row.checkpoint().canaryWeightBp()).isEqualTo(500);
  }

  private static RolloutSpec spec() {
    return Fixtures.spec("chat", List.of(new Stage(500, 10, 0, 60)));
  }
}
