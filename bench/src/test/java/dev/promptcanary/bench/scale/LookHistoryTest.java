package dev.promptcanary.bench.scale;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import dev.promptcanary.workflows.rollout.LocalLookMarker;
import dev.promptcanary.workflows.rollout.RolloutActivities;
import dev.promptcanary.workflows.rollout.RolloutMessages;
import io.temporal.api.common.v1.ActivityType;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.failure.v1.Failure;
import io.temporal.api.history.v1.ActivityTaskCompletedEventAttributes;
import io.temporal.api.history.v1.ActivityTaskScheduledEventAttributes;
import io.temporal.api.history.v1.ActivityTaskStartedEventAttributes;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.history.v1.MarkerRecordedEventAttributes;
import io.temporal.api.history.v1.TimerFiredEventAttributes;
import io.temporal.api.history.v1.TimerStartedEventAttributes;
import io.temporal.api.history.v1.WorkflowExecutionContinuedAsNewEventAttributes;
import io.temporal.api.history.v1.WorkflowExecutionSignaledEventAttributes;
import io.temporal.api.history.v1.WorkflowExecutionStartedEventAttributes;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a look was due, read from a hand-written history with the workflow's own rules. */
class LookHistoryTest {
  private final List<HistoryEvent> events = new ArrayList<>();

  @Test
  void aTimerLookIsDueAtTheTimersDueTimeNotWhenTheServerFiredIt() {
    started(0, "");
    timerStarted(100, "t1", 5_000);
    timerFired(5_300, "t1"); // the server fired it 300 ms late
    look(5_400, 5_450, 5_500);

    LookHistory.Run run = LookHistory.read("run", events);

    assertThat(run.looks()).containsExactly(new LookHistory.Look(5_100, 5_400, 5_450));
    assertThat(run.looks().get(0).delayMillis()).isEqualTo(350);
  }

  @Test
  void aNudgeDuringALookMakesTheNextLookDueWhenThatLookEnds() {
    started(0, "");
    signal(1_000);
    look(1_050, 1_060, 2_000);
    signal(1_500); // during the look: dataPending
    look(2_100, 2_120, 2_200);

    List<LookHistory.Look> looks = LookHistory.read("run", events).looks();

    assertThat(looks).hasSize(2);
    assertThat(looks.get(0).dueMillis()).isEqualTo(1_000);
    assertThat(looks.get(1).dueMillis()).isEqualTo(2_000);
    assertThat(looks.get(1).delayMillis()).isEqualTo(120);
  }

  @Test
  void aTimerThatFiresDuringALookIsUsedUpAndALookWithoutTriggerIsLeftOut() {
    started(0, "");
    timerStarted(10, "t1", 1_000);
    signal(900);
    long id = lookScheduled(950);
    lookStarted(id, 960);
    timerFired(1_010, "t1"); // during the look: the workflow starts a new timer, no look
    lookCompleted(id, 1_500);
    look(3_000, 3_010, 3_100); // no trigger since the last look (a resume, say)

    List<LookHistory.Look> looks = LookHistory.read("run", events).looks();

    assertThat(looks).extracting(LookHistory.Look::dueMillis).containsExactly(900L);
  }

  @Test
  void aLocalLookRanWhenItsWorkflowTaskStartedAndAFailedOneLeavesItsTriggerToTheActivity() {
    started(0, "");
    signal(1_000);
    workflowTaskStarted(1_200);
    localLook(1_260, true); // ran in the task that started at 1_200
    timerStarted(1_260, "t1", 5_000);
    timerFired(6_260, "t1");
    workflowTaskStarted(6_300);
    localLook(9_310, false); // timed out locally: the activity tries it
    look(9_310, 9_400, 9_450);

    List<LookHistory.Look> looks = LookHistory.read("run", events).looks();

    assertThat(looks)
        .containsExactly(
            new LookHistory.Look(1_000, 1_200, 1_200), new LookHistory.Look(6_260, 9_310, 9_400));
    assertThat(looks.get(1).delayMillis()).as("the local attempt counts").isEqualTo(3_140);
  }

  @Test
  void aRunNamesTheRunItContinuesAndWhetherItContinuedAsNew() {
    started(0, "earlier-run");
    events.add(
        event(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW, 10)
            .setWorkflowExecutionContinuedAsNewEventAttributes(
                WorkflowExecutionContinuedAsNewEventAttributes.getDefaultInstance())
            .build());

    LookHistory.Run run = LookHistory.read("run", events);

    assertThat(run.previousRunId()).isEqualTo("earlier-run");
    assertThat(run.continuedAsNew()).isTrue();
    assertThat(run.events()).isEqualTo(2);
  }

  private void started(long at, String continuedFrom) {
    events.add(
        event(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, at)
            .setWorkflowExecutionStartedEventAttributes(
                WorkflowExecutionStartedEventAttributes.newBuilder()
                    .setContinuedExecutionRunId(continuedFrom))
            .build());
  }

  private void timerStarted(long at, String id, long millis) {
    events.add(
        event(EventType.EVENT_TYPE_TIMER_STARTED, at)
            .setTimerStartedEventAttributes(
                TimerStartedEventAttributes.newBuilder()
                    .setTimerId(id)
                    .setStartToFireTimeout(
                        com.google.protobuf.Duration.newBuilder()
                            .setSeconds(millis / 1000)
                            .setNanos((int) (millis % 1000) * 1_000_000)))
            .build());
  }

  private void timerFired(long at, String id) {
    events.add(
        event(EventType.EVENT_TYPE_TIMER_FIRED, at)
            .setTimerFiredEventAttributes(TimerFiredEventAttributes.newBuilder().setTimerId(id))
            .build());
  }

  private void signal(long at) {
    events.add(
        event(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, at)
            .setWorkflowExecutionSignaledEventAttributes(
                WorkflowExecutionSignaledEventAttributes.newBuilder()
                    .setSignalName(RolloutMessages.DATA_ARRIVED))
            .build());
  }

  /** A look whose events come one after the other (nothing happens during it). */
  private void look(long scheduled, long started, long completed) {
    long id = lookScheduled(scheduled);
    lookStarted(id, started);
    lookCompleted(id, completed);
  }

  private long lookScheduled(long at) {
    long id = events.size() + 1;
    events.add(
        event(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, at)
            .setActivityTaskScheduledEventAttributes(
                ActivityTaskScheduledEventAttributes.newBuilder()
                    .setActivityType(ActivityType.newBuilder().setName(RolloutActivities.ANALYSE)))
            .build());
    return id;
  }

  private void lookStarted(long id, long at) {
    events.add(
        event(EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED, at)
            .setActivityTaskStartedEventAttributes(
                ActivityTaskStartedEventAttributes.newBuilder().setScheduledEventId(id))
            .build());
  }

  private void lookCompleted(long id, long at) {
    events.add(
        event(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, at)
            .setActivityTaskCompletedEventAttributes(
                ActivityTaskCompletedEventAttributes.newBuilder().setScheduledEventId(id))
            .build());
  }

  private void workflowTaskStarted(long at) {
    events.add(event(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, at).build());
  }

  /** A look's marker: with its result, or failed (no result). */
  private void localLook(long at, boolean completed) {
    DataConverter json = DefaultDataConverter.STANDARD_INSTANCE;
    var marker =
        MarkerRecordedEventAttributes.newBuilder()
            .setMarkerName(LocalLookMarker.NAME)
            .putDetails("type", json.toPayloads(RolloutActivities.ANALYSE).orElseThrow());
    if (completed) {
      marker.putDetails("result", json.toPayloads("{}").orElseThrow());
    } else {
      marker.setFailure(Failure.newBuilder().setMessage("timed out"));
    }
    events.add(
        event(EventType.EVENT_TYPE_MARKER_RECORDED, at)
            .setMarkerRecordedEventAttributes(marker)
            .build());
  }

  private HistoryEvent.Builder event(EventType type, long atMillis) {
    return HistoryEvent.newBuilder()
        .setEventId(events.size() + 1)
        .setEventType(type)
        .setEventTime(
            Timestamp.newBuilder()
                .setSeconds(atMillis / 1000)
                .setNanos((int) (atMillis % 1000) * 1_000_000));
  }
}
