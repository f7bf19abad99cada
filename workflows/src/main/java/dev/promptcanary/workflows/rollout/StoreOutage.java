package dev.promptcanary.workflows.rollout;

import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/**
 * A store (PostgreSQL) that cannot be reached is an outage to ride out, not a failing step: under
 * {@link ChangeIds#STORE_OUTAGE_RETRY} a look or a record that failed with {@link
 * RolloutMessages#STORE_UNAVAILABLE} is tried again for {@link #BUDGET} before the rollout gives up
 * on it. Any other failure (a programming error, a bad row) still holds after the ordinary retries.
 */
final class StoreOutage {
  /**
   * How long a store outage is ridden out: restarts, fail-overs and short network cuts take seconds
   * to a few minutes; past this a person should know.
   */
  static final Duration BUDGET = Duration.ofMinutes(10);

  private StoreOutage() {}

  /**
   * Whether {@code failure} is the store being unreachable and this run rides such an outage out.
   * The change id is asked only here, so runs that never met an outage record no marker.
   */
  static boolean ridesOut(ActivityFailure failure) {
    return unavailable(failure)
        && Workflow.getVersion(ChangeIds.STORE_OUTAGE_RETRY, Workflow.DEFAULT_VERSION, 1) >= 1;
  }

  static boolean unavailable(ActivityFailure failure) {
    return failure.getCause() instanceof ApplicationFailure application
        && RolloutMessages.STORE_UNAVAILABLE.equals(application.getType());
  }
}
