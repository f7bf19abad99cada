package dev.promptcanary.bench.scale;

import dev.promptcanary.workflows.rollout.LocalLookMarker;
import dev.promptcanary.workflows.rollout.RolloutActivities;
import dev.promptcanary.workflows.rollout.RolloutMessages;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.common.converter.DefaultDataConverter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The looks of one workflow run, read from its history: when each was due and when it ran. A look
 * is the {@code AnalyseCanary} activity. It is due at the first trigger since the previous look
 * ended, and never before that end (the workflow runs one look at a time): a {@code dataArrived}
 * signal (an ingest nudge) at its event time, or the bake's "next look" timer at its due time (its
 * start plus its duration, so a server that fires timers late is counted as late). A signal that
 * arrives during a look makes the next look due when that look ends; a timer that fires during a
 * look is used up by it (the workflow starts a new timer), so it is not a trigger. A look with no
 * trigger (the first after a resume, say) is left out of the delays.
 *
 * <p>A look run as a local activity (the workflow's {@code look-local-first}) is a {@code
 * LocalActivity} marker: it ran in the workflow task that recorded it, so it was scheduled and
 * started when that task started. A local look that failed (no result) is no look: its trigger is
 * left to the activity the workflow tries next, whose delay then includes the local attempt.
 */
final class LookHistory {
  /** One look: due, scheduled by the workflow, started by the worker (epoch millis; 0: never). */
  record Look(long dueMillis, long scheduledMillis, long startedMillis) {
    long delayMillis() {
      return startedMillis - dueMillis;
    }

    long workflowPartMillis() {
      return scheduledMillis - dueMillis;
    }
  }

  /** One run: its event count, whether it continued as new, the run before it, its looks. */
  record Run(
      String runId, int events, boolean continuedAsNew, String previousRunId, List<Look> looks) {}

  private LookHistory() {}

  static Run read(String runId, List<HistoryEvent> events) {
    Map<String, Long> timerDue = new HashMap<>();
    List<Look> looks = new ArrayList<>();
    long lastEnd = 0;
    long earliestTrigger = Long.MAX_VALUE;
    long inFlight = -1;
    long scheduledAt = 0;
    long dueOfInFlight = 0;
    long startedAt = 0;
    long taskStartedAt = 0;
    boolean continued = false;
    String previous = "";
    for (HistoryEvent e : events) {
      long t = millis(e);
      EventType type = e.getEventType();
      switch (type) {
        case EVENT_TYPE_WORKFLOW_EXECUTION_STARTED -> {
          previous = e.getWorkflowExecutionStartedEventAttributes().getContinuedExecutionRunId();
          lastEnd = t;
        }
        case EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW -> continued = true;
        case EVENT_TYPE_WORKFLOW_TASK_STARTED -> taskStartedAt = t;
        case EVENT_TYPE_MARKER_RECORDED -> {
          if (LocalLookMarker.isCompletedLook(
              e.getMarkerRecordedEventAttributes(), DefaultDataConverter.STANDARD_INSTANCE)) {
            if (earliestTrigger != Long.MAX_VALUE) {
              long due = Math.max(earliestTrigger, lastEnd);
              long ran = Math.max(due, taskStartedAt); // scheduled and started with its task
              looks.add(new Look(due, ran, ran));
            }
            earliestTrigger = Long.MAX_VALUE;
            lastEnd = t;
          }
        }
        case EVENT_TYPE_TIMER_STARTED -> {
          var a = e.getTimerStartedEventAttributes();
          long duration =
              a.getStartToFireTimeout().getSeconds() * 1000
                  + a.getStartToFireTimeout().getNanos() / 1_000_000;
          timerDue.put(a.getTimerId(), t + duration);
        }
        case EVENT_TYPE_TIMER_FIRED -> {
          Long due = timerDue.get(e.getTimerFiredEventAttributes().getTimerId());
          if (due != null && inFlight < 0) {
            earliestTrigger = Math.min(earliestTrigger, due);
          }
        }
        case EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED -> {
          if (RolloutMessages.DATA_ARRIVED.equals(
              e.getWorkflowExecutionSignaledEventAttributes().getSignalName())) {
            earliestTrigger = Math.min(earliestTrigger, t);
          }
        }
        case EVENT_TYPE_ACTIVITY_TASK_SCHEDULED -> {
          if (RolloutActivities.ANALYSE.equals(
              e.getActivityTaskScheduledEventAttributes().getActivityType().getName())) {
            inFlight = e.getEventId();
            scheduledAt = t;
            startedAt = 0;
            dueOfInFlight =
                earliestTrigger == Long.MAX_VALUE ? 0 : Math.max(earliestTrigger, lastEnd);
            earliestTrigger = Long.MAX_VALUE;
          }
        }
        case EVENT_TYPE_ACTIVITY_TASK_STARTED -> {
          if (e.getActivityTaskStartedEventAttributes().getScheduledEventId() == inFlight) {
            startedAt = t;
          }
        }
        case EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
            EVENT_TYPE_ACTIVITY_TASK_FAILED,
            EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
            EVENT_TYPE_ACTIVITY_TASK_CANCELED -> {
          if (scheduledEventId(e) == inFlight) {
            if (dueOfInFlight > 0 && startedAt > 0) {
              looks.add(new Look(dueOfInFlight, scheduledAt, startedAt));
            }
            // a signal that came during the look is due from here (it set dataPending)
            earliestTrigger = earliestTrigger == Long.MAX_VALUE ? earliestTrigger : t;
            lastEnd = t;
            inFlight = -1;
          }
        }
        default -> {}
      }
    }
    return new Run(runId, events.size(), continued, previous, looks);
  }

  private static long scheduledEventId(HistoryEvent e) {
    return switch (e.getEventType()) {
      case EVENT_TYPE_ACTIVITY_TASK_COMPLETED ->
          e.getActivityTaskCompletedEventAttributes().getScheduledEventId();
      case EVENT_TYPE_ACTIVITY_TASK_FAILED ->
          e.getActivityTaskFailedEventAttributes().getScheduledEventId();
      case EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT ->
          e.getActivityTaskTimedOutEventAttributes().getScheduledEventId();
      case EVENT_TYPE_ACTIVITY_TASK_CANCELED ->
          e.getActivityTaskCanceledEventAttributes().getScheduledEventId();
      default -> -2;
    };
  }

  private static long millis(HistoryEvent e) {
    return e.getEventTime().getSeconds() * 1000 + e.getEventTime().getNanos() / 1_000_000;
  }
}
