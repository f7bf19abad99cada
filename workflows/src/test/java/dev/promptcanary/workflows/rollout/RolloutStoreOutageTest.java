package dev.promptcanary.workflows.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A store outage ({@link ChangeIds#STORE_OUTAGE_RETRY}) is ridden out: a look failing because
 * PostgreSQL is unreachable is tried again for {@link StoreOutage#BUDGET} before it holds the
 * rollout, and a record failing so is tried again in the background, so a held rollout's read model
 * says it is held once the store is back.
 */
class RolloutStoreOutageTest extends RolloutTestServer {

  @Test
  void anOutageShorterThanTheBudgetHoldsNothingAndTheRolloutGoesOn() {
    fake.storeDown = true;
    RolloutWorkflow workflow = Scenarios.start(client, Scenarios.spec(InconclusivePolicy.HOLD, 0));
    env.sleep(Duration.ofMinutes(3));

    RolloutProgress during = workflow.progress();
    assertThat(during.state()).isEqualTo(RolloutState.CANARY);
    assertThat(during.pauseReason()).isNull();
    assertThat(fake.looks).as("tried past the ordinary 5 attempts").hasSizeGreaterThan(5);
    assertThat(fake.records).isEmpty();
    assertThat(during.timeline()).anyMatch(e -> e.event().equals("store unavailable"));

    fake.storeDown = false;
    RolloutResult result = result();
    assertThat(result.state()).isEqualTo(RolloutState.PROMOTED);
    assertThat(fake.alertEvents()).doesNotContain("held");
    assertThat(fake.records)
        .noneMatch(r -> r.checkpoint().state() == RolloutState.PAUSED)
        .last()
        .satisfies(r -> assertThat(r.checkpoint().state()).isEqualTo(RolloutState.PROMOTED));
  }

  @Test
  void anOutageLongerThanTheBudgetHoldsAndTheHoldIsRecordedOnceTheStoreIsBack() {
    fake.storeDown = true;
    RolloutWorkflow workflow = Scenarios.start(client, Scenarios.spec(InconclusivePolicy.HOLD, 0));
    env.sleep(Duration.ofMinutes(15));

    RolloutProgress held = workflow.progress();
    assertThat(held.state()).isEqualTo(RolloutState.PAUSED);
    assertThat(held.pauseReason()).isEqualTo(PauseReason.STEP_FAILED);
    assertThat(fake.alertEvents()).containsExactly("held");
    assertThat(fake.alerts.get(0).reason()).contains("refused");
    assertThat(fake.records).as("nothing stored while the store is down").isEmpty();
    assertThat(fake.recordAttempts)
        .anyMatch(r -> r.checkpoint().pauseReason() == PauseReason.STEP_FAILED);
    int looksWhenHeld = fake.looks.size();

    fake.storeDown = false;
    env.sleep(Duration.ofMinutes(1));
    assertThat(fake.records)
        .as("the hold's record, retried while held")
        .last()
        .satisfies(
            r -> {
              assertThat(r.checkpoint().state()).isEqualTo(RolloutState.PAUSED);
              assertThat(r.checkpoint().pauseReason()).isEqualTo(PauseReason.STEP_FAILED);
            });

    // held, not retrying silently: no look until a person resumes
    env.sleep(Duration.ofHours(2));
    assertThat(fake.looks).hasSize(looksWhenHeld);
    assertThat(workflow.progress().state()).isEqualTo(RolloutState.PAUSED);

    workflow.resume(new ControlRequest("ana", "PostgreSQL is back"));
    assertThat(result().state()).isEqualTo(RolloutState.PROMOTED);
  }
}
