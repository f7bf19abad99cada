package dev.promptcanary.api.rollouts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.promptcanary.activities.store.RolloutDao;
import dev.promptcanary.workflows.rollout.RolloutProgress;

/**
 * A rollout as the API shows it: the read model's row from PostgreSQL (its fields at the top level
 * of the JSON), and, while it runs and Temporal answers, its live progress from the workflow
 * itself.
 *
 * @param live the workflow's answer to the progress query, or null when the rollout ended or
 *     Temporal did not answer
 * @param liveUnavailable why {@code live} is missing for a running rollout, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RolloutView(
    @JsonUnwrapped RolloutDao.Row row, RolloutProgress live, String liveUnavailable) {

  /** A webhook secret is stored to sign alerts and never read back. */
  public RolloutView {
    if (row != null && row.spec() != null && row.spec().alertWebhookSecret() != null) {
      row = row.withSpec(row.spec().withoutWebhookSecret());
    }
  }
}
