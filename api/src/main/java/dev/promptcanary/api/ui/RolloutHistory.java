package dev.promptcanary.api.ui;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.promptcanary.workflows.rollout.AnalysisReport;
import dev.promptcanary.workflows.rollout.AnalysisRequest;
import dev.promptcanary.workflows.rollout.LocalLookMarker;
import dev.promptcanary.workflows.rollout.RolloutActivities;
import dev.promptcanary.workflows.rollout.RolloutInput;
import io.temporal.api.common.v1.Payloads;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.common.converter.DataConverter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A rollout's Temporal event history, read through the SDK ({@code GetWorkflowExecutionHistory},
 * which the Java test server and a real server both answer): every run of its continue-as-new
 * chain, newest first, back to the first. From it come the looks (each {@code AnalyseCanary} result
 * with the request it answered: a completed activity, or the marker of a local activity, where the
 * workflow runs its looks first) that the dashboard charts, and the events it lists.
 *
 * <p>The verdicts are read from the history rather than from a table of their own because that is
 * where the workflow records them: every decision and the numbers behind it, as the workflow saw
 * them. A finished rollout's history never changes, so it is kept (up to {@link #CACHED} rollouts).
 */
final class RolloutHistory {
  /** Runs read at most, newest first (a rollout continues as new at each stage and when long). */
  static final int MAX_RUNS = 50;

  /** Events listed at most, the newest. */
  static final int MAX_EVENTS = 300;

  private static final int CACHED = 200;

  /** One look at a stage's data. */
  record Look(long atMillis, int stage, int canaryWeightBp, AnalysisReport report) {}

  /** One event as the dashboard lists it. */
  record Event(String run, long id, long atMillis, String type, String detail) {}

  /**
   * What was read: the looks oldest first, the newest {@link #MAX_EVENTS} events newest first, how
   * many runs and events there are, and why nothing was read (null when it was).
   */
  record Read(
      List<Look> looks,
      List<Event> events,
      int runs,
      long eventCount,
      boolean runsTruncated,
      String error) {
    static Read failed(String error) {
      return new Read(List.of(), List.of(), 0, 0, false, error);
    }
  }

  private final WorkflowClient client;
  private final DataConverter converter;
  private final Cache<String, Read> finished = Caffeine.newBuilder().maximumSize(CACHED).build();

  RolloutHistory(WorkflowClient client) {
    this.client = client;
    this.converter = client.getOptions().getDataConverter();
  }

  /**
   * The history of rollout {@code id} (its workflow id); {@code finalState}: the rollout has ended,
   * so its history may be kept.
   */
  Read read(String id, boolean finalState) {
    Read cached = finalState ? finished.getIfPresent(id) : null;
    if (cached != null) {
      return cached;
    }
    Read read;
    try {
      read = readRuns(id);
    } catch (RuntimeException e) {
      // NOT_FOUND (a history past its retention, a test server restarted), UNAVAILABLE: the page
      // says so and shows the rest.
      return Read.failed(
          "Temporal did not answer the history of " + id + ": " + firstLine(e.getMessage()));
    }
    if (finalState) {
      finished.put(id, read);
    }
    return read;
  }

  private Read readRuns(String id) {
    List<List<Look>> looksPerRun = new ArrayList<>();
    List<Event> events = new ArrayList<>();
    long eventCount = 0;
    String runId = null;
    int runs = 0;
    boolean truncated = false;
    while (true) {
      List<HistoryEvent> history =
          runId == null
              ? client.fetchHistory(id).getEvents()
              : client.fetchHistory(id, runId).getEvents();
      if (history.isEmpty()) {
        break;
      }
      runs++;
      eventCount += history.size();
      String thisRun = runId == null ? "latest" : runId;
      looksPerRun.add(looks(history));
      for (int i = history.size() - 1; i >= 0 && events.size() < MAX_EVENTS; i--) {
        events.add(event(thisRun, history.get(i), history));
      }
      String previous =
          history.get(0).getWorkflowExecutionStartedEventAttributes().getContinuedExecutionRunId();
      if (previous.isEmpty()) {
        break;
      }
      if (runs == MAX_RUNS) {
        truncated = true;
        break;
      }
      runId = previous;
    }
    Collections.reverse(looksPerRun);
    List<Look> looks = new ArrayList<>();
    looksPerRun.forEach(looks::addAll);
    return new Read(List.copyOf(looks), List.copyOf(events), runs, eventCount, truncated, null);
  }

  /** The run's looks, oldest first; the stage is the run's (each stage starts a new run). */
  private List<Look> looks(List<HistoryEvent> history) {
    int stageIndex = 0;
    HistoryEvent first = history.get(0);
    if (first.hasWorkflowExecutionStartedEventAttributes()) {
      RolloutInput input =
          decode(first.getWorkflowExecutionStartedEventAttributes().getInput(), RolloutInput.class);
      if (input != null && input.checkpoint() != null) {
        stageIndex = input.checkpoint().stageIndex();
      }
    }
    Map<Long, AnalysisRequest> requests = new HashMap<>();
    List<Look> looks = new ArrayList<>();
    for (HistoryEvent e : history) {
      if (e.hasActivityTaskScheduledEventAttributes()) {
        var scheduled = e.getActivityTaskScheduledEventAttributes();
        if (RolloutActivities.ANALYSE.equals(scheduled.getActivityType().getName())) {
          requests.put(e.getEventId(), decode(scheduled.getInput(), AnalysisRequest.class));
        }
      } else if (e.hasActivityTaskCompletedEventAttributes()) {
        var completed = e.getActivityTaskCompletedEventAttributes();
        if (requests.containsKey(completed.getScheduledEventId())) {
          addLook(
              looks,
              e,
              stageIndex,
              requests.get(completed.getScheduledEventId()),
              completed.getResult());
        }
      } else if (e.hasMarkerRecordedEventAttributes()
          && LocalLookMarker.isCompletedLook(e.getMarkerRecordedEventAttributes(), converter)) {
        var marker = e.getMarkerRecordedEventAttributes();
        addLook(
            looks,
            e,
            stageIndex,
            decode(LocalLookMarker.input(marker), AnalysisRequest.class),
            LocalLookMarker.result(marker));
      }
    }
    return looks;
  }

  private void addLook(
      List<Look> looks, HistoryEvent e, int stageIndex, AnalysisRequest request, Payloads result) {
    AnalysisReport report = decode(result, AnalysisReport.class);
    if (report != null && report.overall() != null) {
      looks.add(
          new Look(
              millis(e), stageIndex + 1, request == null ? 0 : request.canaryWeightBp(), report));
    }
  }

  private <T> T decode(Payloads payloads, Class<T> type) {
    if (payloads == null || payloads.getPayloadsCount() == 0) {
      return null;
    }
    try {
      return converter.fromPayloads(0, Optional.of(payloads), type, type);
    } catch (RuntimeException e) {
      return null; // a payload of a shape this version does not read: the look is left out
    }
  }

  private Event event(String run, HistoryEvent e, List<HistoryEvent> history) {
    String type = e.getEventType().name().replaceFirst("^EVENT_TYPE_", "");
    return new Event(run, e.getEventId(), millis(e), type, detail(e, history));
  }

  /** One line on what the event is about: the activity, timer, update, signal or failure. */
  private String detail(HistoryEvent e, List<HistoryEvent> history) {
    if (e.hasActivityTaskScheduledEventAttributes()) {
      return e.getActivityTaskScheduledEventAttributes().getActivityType().getName();
    }
    if (e.hasActivityTaskCompletedEventAttributes()) {
      return activityName(
          e.getActivityTaskCompletedEventAttributes().getScheduledEventId(), history);
    }
    if (e.hasActivityTaskFailedEventAttributes()) {
      var failed = e.getActivityTaskFailedEventAttributes();
      return activityName(failed.getScheduledEventId(), history)
          + ": "
          + firstLine(failed.getFailure().getMessage());
    }
    if (e.hasActivityTaskStartedEventAttributes()) {
      return activityName(e.getActivityTaskStartedEventAttributes().getScheduledEventId(), history)
          + " (attempt "
          + e.getActivityTaskStartedEventAttributes().getAttempt()
          + ")";
    }
    if (e.hasTimerStartedEventAttributes()) {
      var timer = e.getTimerStartedEventAttributes();
      return "timer "
          + timer.getTimerId()
          + " for "
          + timer.getStartToFireTimeout().getSeconds()
          + " s";
    }
    if (e.hasWorkflowExecutionUpdateAcceptedEventAttributes()) {
      return "update "
          + e.getWorkflowExecutionUpdateAcceptedEventAttributes()
              .getAcceptedRequest()
              .getInput()
              .getName();
    }
    if (e.hasWorkflowExecutionSignaledEventAttributes()) {
      return "signal " + e.getWorkflowExecutionSignaledEventAttributes().getSignalName();
    }
    if (e.hasMarkerRecordedEventAttributes()) {
      var marker = e.getMarkerRecordedEventAttributes();
      if (LocalLookMarker.NAME.equals(marker.getMarkerName())) {
        String type = LocalLookMarker.activityType(marker, converter);
        String local = (type == null ? "activity" : type) + " (local activity)";
        return marker.hasFailure()
            ? local + ": " + firstLine(marker.getFailure().getMessage())
            : local;
      }
      return marker.getMarkerName();
    }
    if (e.hasWorkflowExecutionContinuedAsNewEventAttributes()) {
      return "continued as a new run";
    }
    if (e.hasWorkflowExecutionFailedEventAttributes()) {
      return firstLine(e.getWorkflowExecutionFailedEventAttributes().getFailure().getMessage());
    }
    if (e.hasWorkflowExecutionStartedEventAttributes()) {
      var started = e.getWorkflowExecutionStartedEventAttributes();
      return started.getContinuedExecutionRunId().isEmpty()
          ? "started on " + started.getTaskQueue().getName()
          : "continued from run " + started.getContinuedExecutionRunId();
    }
    return "";
  }

  private static String activityName(long scheduledEventId, List<HistoryEvent> history) {
    int index = (int) scheduledEventId - 1; // event ids are 1, 2, ... in order
    if (index >= 0 && index < history.size()) {
      HistoryEvent scheduled = history.get(index);
      if (scheduled.getEventId() == scheduledEventId
          && scheduled.hasActivityTaskScheduledEventAttributes()) {
        return scheduled.getActivityTaskScheduledEventAttributes().getActivityType().getName();
      }
    }
    return "activity";
  }

  private static long millis(HistoryEvent e) {
    return e.getEventTime().getSeconds() * 1000 + e.getEventTime().getNanos() / 1_000_000;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
