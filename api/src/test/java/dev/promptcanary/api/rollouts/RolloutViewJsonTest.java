package dev.promptcanary.api.rollouts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.promptcanary.activities.store.RolloutDao;
import dev.promptcanary.workflows.rollout.Checkpoint;
import io.dropwizard.jackson.Jackson;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JSON of {@code GET /v1/rollouts/{id}}: the read model's row at the top level. */
class RolloutViewJsonTest {
  private final ObjectMapper json = Jackson.newObjectMapper();

  private static RolloutDao.Row row(String reason, Instant finishedAt) {
    return new RolloutDao.Row(
        "rollout-support-2",
        "support",
        2,
        1,
        "CANARY",
        1,
        500,
        null,
        Checkpoint.initial(),
        "rollout-support-2",
        "run-1",
        reason,
        null,
        Instant.parse("2026-12-01T10:00:00Z"),
        Instant.parse("2026-12-01T10:05:00Z"),
        finishedAt);
  }

  @Test
  void theRowsFieldsStandAtTheTopLevelWithoutTheWorkflowIdsOrNulls() {
    JsonNode view = json.valueToTree(new RolloutView(row(null, null), null, "Temporal is down"));

    List<String> fields = List.copyOf(view.properties().stream().map(e -> e.getKey()).toList());
    assertThat(fields)
        .containsExactlyInAnyOrder(
            "id",
            "prompt",
            "candidateVersion",
            "baselineVersion",
            "state",
            "stage",
            "canaryWeightBp",
            "checkpoint",
            "createdAt",
            "updatedAt",
            "liveUnavailable");
    assertThat(view.get("id").asText()).isEqualTo("rollout-support-2");
    assertThat(view.get("canaryWeightBp").asInt()).isEqualTo(500);
    assertThat(view.get("checkpoint").get("state").asText()).isEqualTo("PENDING_EVAL");
  }

  @Test
  void anEndedRolloutShowsItsReasonAndWhenItFinished() {
    JsonNode view =
        json.valueToTree(
            new RolloutView(row("promoted", Instant.parse("2026-12-01T11:00:00Z")), null, null));

    assertThat(view.get("reason").asText()).isEqualTo("promoted");
    assertThat(view.has("finishedAt")).isTrue();
    assertThat(view.has("live")).isFalse();
    assertThat(view.has("runId")).isFalse();
  }
}
