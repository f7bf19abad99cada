package dev.promptcanary.workflows.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.util.concurrent.Uninterruptibles;
import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link ChangeIds#LOOK_LOCAL_FIRST}: a look runs as a local activity, recorded as a marker in the
 * workflow task that asked for it, and goes to the activity task queue only when the local attempt
 * failed or ran past {@link ActivityStubs#LOCAL_LOOK_TIMEOUT}.
 */
class RolloutLocalLookTest extends RolloutTestServer {

  @Test
  void looksAreLocalActivityMarkersAndNoLookIsScheduledAsAnActivity() {
    Scenarios.start(client, Scenarios.spec(InconclusivePolicy.HOLD, 0));

    assertThat(result().state()).isEqualTo(RolloutState.PROMOTED);
    List<HistoryEvent> events = history();
    long markers =
        events.stream()
            .filter(e -> e.getEventType() == EventType.EVENT_TYPE_MARKER_RECORDED)
            .filter(
                e ->
                    e.getMarkerRecordedEventAttributes()
                        .getMarkerName()
                        .equals(LocalLookMarker.NAME))
            .count();
    assertThat(markers).as("one marker per look").isEqualTo(fake.looks.size()).isPositive();
    assertThat(scheduledLooks(events)).isZero();
  }

  @Test
  void aLocalLookPastItsTimeoutIsTriedAgainAsAnActivity() {
    fake.analysis =
        r -> {
          if (fake.looks.size() == 1) {
            // a slow database
            Uninterruptibles.sleepUninterruptibly(ActivityStubs.LOCAL_LOOK_TIMEOUT.plusSeconds(1));
          }
          return FakeActivities.report(Decision.NON_INFERIOR, GateKind.QUALITY, 500, 500);
        };
    Scenarios.start(client, Scenarios.spec(InconclusivePolicy.HOLD, 0));

    RolloutResult result = result();
    assertThat(result.state()).isEqualTo(RolloutState.PROMOTED);
    assertThat(scheduledLooks(history()))
        .as("the slow first look, again as an activity; the later ones local")
        .isEqualTo(1);
    assertThat(fake.alertEvents()).doesNotContain("held");
  }

  /** The events of every run of the rollout (it continues as new at each stage boundary). */
  private List<HistoryEvent> history() {
    return fake.records.stream()
        .map(RolloutRecord::runId)
        .distinct()
        .flatMap(run -> client.fetchHistory(Scenarios.ID, run).getEvents().stream())
        .toList();
  }

  private static long scheduledLooks(List<HistoryEvent> events) {
    return events.stream()
        .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
        .filter(
            e ->
                e.getActivityTaskScheduledEventAttributes()
                    .getActivityType()
                    .getName()
                    .equals(RolloutActivities.ANALYSE))
        .count();
  }
}
