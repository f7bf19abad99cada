package dev.promptcanary.workflows.rollout;

import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;

/**
 * Which options each kind of activity runs with. The options are part of what a released run did,
 * so the code before {@link ChangeIds#CONTROLS_PREEMPT} keeps its unbounded {@code QUICK} retries
 * when it replays.
 */
public final class ActivityStubs {
  /** Before {@link ChangeIds#CONTROLS_PREEMPT}: every step and write, retried for ever. */
  private static final ActivityOptions QUICK =
      options(
          Duration.ofSeconds(30),
          doubling(Duration.ofMillis(500)).setMaximumInterval(Duration.ofSeconds(30)));

  /**
   * The steps of a rollout under {@link ChangeIds#CONTROLS_PREEMPT}: a bounded number of attempts,
   * and no retry of a programming error, so a step that keeps failing surfaces (the rollout holds
   * with the failure as its reason) instead of retrying silently for ever. About 8 s of backoff
   * over 5 attempts.
   */
  private static final ActivityOptions STEP =
      options(
          Duration.ofSeconds(30),
          doubling(Duration.ofMillis(500))
              .setMaximumInterval(Duration.ofSeconds(10))
              .setMaximumAttempts(5)
              .setDoNotRetry(
                  IllegalArgumentException.class.getName(),
                  NullPointerException.class.getName(),
                  ArithmeticException.class.getName(),
                  ClassCastException.class.getName(),
                  IndexOutOfBoundsException.class.getName(),
                  UnsupportedOperationException.class.getName(),
                  NumberFormatException.class.getName()));

  /**
   * Writes of the read model and the audit log under {@link ChangeIds#CONTROLS_PREEMPT}: short,
   * then given up.
   */
  private static final ActivityOptions BOOKKEEPING =
      ActivityOptions.newBuilder(STEP)
          .setStartToCloseTimeout(Duration.ofSeconds(10))
          .setRetryOptions(
              RetryOptions.newBuilder(STEP.getRetryOptions()).setMaximumAttempts(4).build())
          .build();

  /**
   * A look or record tried again after it failed on an unreachable store ({@link
   * ChangeIds#STORE_OUTAGE_RETRY}): every 15 s at most, for {@link StoreOutage#BUDGET} in all (the
   * schedule-to-close timeout bounds it, and so does the number of attempts). Programming errors
   * are still not retried.
   */
  private static final ActivityOptions STORE_OUTAGE =
      ActivityOptions.newBuilder(STEP)
          .setScheduleToCloseTimeout(StoreOutage.BUDGET)
          .setRetryOptions(
              RetryOptions.newBuilder(STEP.getRetryOptions())
                  .setInitialInterval(Duration.ofSeconds(1))
                  .setMaximumInterval(Duration.ofSeconds(15))
                  .setMaximumAttempts(
                      (int) (StoreOutage.BUDGET.toSeconds() / 15) + 10) // the budget ends it first
                  .build())
          .build();

  /**
   * How long a look run as a local activity ({@link ChangeIds#LOOK_LOCAL_FIRST}) may take before it
   * goes to the activity task queue instead. A look takes milliseconds to a few hundred; well under
   * the workflow task's 10 s timeout, so the task that waits for it never times out, and short,
   * since a control arriving meanwhile waits for the task to end.
   */
  public static final Duration LOCAL_LOOK_TIMEOUT = Duration.ofSeconds(3);

  /**
   * One attempt: a look that fails or is slow goes on as an activity with {@link #STEP}'s retries,
   * where the server times and retries it and a control can preempt it.
   */
  private static final LocalActivityOptions LOCAL_LOOK =
      LocalActivityOptions.newBuilder()
          .setStartToCloseTimeout(LOCAL_LOOK_TIMEOUT)
          .setScheduleToCloseTimeout(LOCAL_LOOK_TIMEOUT)
          .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
          .build();

  private static final ActivityOptions ALERT =
      options(Duration.ofSeconds(20), doubling(Duration.ofSeconds(1)).setMaximumAttempts(6));

  /**
   * How often the eval runner heartbeats, a slow model call or not, and the most the worker holds a
   * heartbeat back before sending it to the server (the SDK's throttle, otherwise 80% of the
   * heartbeat timeout): the server hears from a live attempt about every 2 s.
   */
  public static final Duration EVAL_HEARTBEAT_EVERY = Duration.ofSeconds(2);

  /**
   * Under {@link ChangeIds#EVAL_QUICK_HEARTBEAT_TIMEOUT}: 10 s without a heartbeat (five missed)
   * means the attempt's worker is gone; the retry, on a live worker after 1 s, resumes from the
   * stored cases. Five attempts, since an attempt given up on a worker that was only slow costs
   * only the cases it had in flight.
   */
  private static final ActivityOptions EVAL =
      evalWith(Duration.ofSeconds(10), Duration.ofSeconds(1), 5);

  /**
   * Before {@link ChangeIds#EVAL_QUICK_HEARTBEAT_TIMEOUT}: 30 s without a heartbeat, the retry
   * after 5 s, three attempts. A killed worker's eval went on 35 to 60 s later.
   */
  private static final ActivityOptions EVAL_BEFORE_QUICK_HEARTBEAT =
      evalWith(Duration.ofSeconds(30), Duration.ofSeconds(5), 3);

  private final boolean controlsPreempt;

  /**
   * The offline eval's options, shared with the eval run without a rollout ({@code
   * EvalRunWorkflowImpl}), so both run the runner under the same timeouts and retries. Workflow
   * code only, where the eval is scheduled: it asks for {@link
   * ChangeIds#EVAL_QUICK_HEARTBEAT_TIMEOUT}'s version, so a replay of a run scheduled before it
   * keeps the older options.
   */
  public static ActivityOptions evalOptions() {
    return Workflow.getVersion(ChangeIds.EVAL_QUICK_HEARTBEAT_TIMEOUT, Workflow.DEFAULT_VERSION, 1)
            >= 1
        ? EVAL
        : EVAL_BEFORE_QUICK_HEARTBEAT;
  }

  ActivityStubs(boolean controlsPreempt) {
    this.controlsPreempt = controlsPreempt;
  }

  /**
   * Looks at the data, routing writes and plans: bounded under {@link ChangeIds#CONTROLS_PREEMPT}.
   */
  RolloutActivities step(String summary) {
    return stub(controlsPreempt ? STEP : QUICK, summary);
  }

  /**
   * Read-model records and audit writes: short and given up under {@link
   * ChangeIds#CONTROLS_PREEMPT}.
   */
  RolloutActivities bookkeeping(String summary) {
    return stub(controlsPreempt ? BOOKKEEPING : QUICK, summary);
  }

  /**
   * A look or a record again after it failed on an unreachable store: retried for {@link
   * StoreOutage#BUDGET}.
   */
  RolloutActivities storeOutage(String summary) {
    return stub(STORE_OUTAGE, summary);
  }

  /** A look as a local activity, tried once ({@link ChangeIds#LOOK_LOCAL_FIRST}). */
  RolloutActivities localLook(String summary) {
    return Workflow.newLocalActivityStub(
        RolloutActivities.class,
        LocalActivityOptions.newBuilder(LOCAL_LOOK).setSummary(summary).build());
  }

  /**
   * Whether {@code failure} is one that {@link #STEP}'s retries would not retry (a programming
   * error): trying it again as an activity would only fail again.
   */
  static boolean notRetried(ActivityFailure failure) {
    return failure.getCause() instanceof ApplicationFailure application
        && List.of(STEP.getRetryOptions().getDoNotRetry()).contains(application.getType());
  }

  RolloutActivities alert(String summary) {
    return stub(ALERT, summary);
  }

  /**
   * The offline eval. {@code abandonOnCancel} ({@link ChangeIds#EVAL_ABANDONED_ON_CONTROL}):
   * cancelling its scope leaves the activity to stop at its next heartbeat instead of asking the
   * server to cancel it.
   */
  RolloutActivities eval(String summary, boolean abandonOnCancel) {
    ActivityOptions eval = evalOptions();
    return stub(
        abandonOnCancel
            ? ActivityOptions.newBuilder(eval)
                .setCancellationType(ActivityCancellationType.ABANDON)
                .build()
            : eval,
        summary);
  }

  /**
   * Before {@link ChangeIds#CONTROLS_PREEMPT} a step retried for ever, so a failure that reached
   * the workflow failed it; replays of that code keep it.
   */
  void rethrowUnderOldCode(ActivityFailure failure) {
    if (!controlsPreempt) {
      throw failure;
    }
  }

  private static ActivityOptions options(Duration startToClose, RetryOptions.Builder retry) {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(startToClose)
        .setRetryOptions(retry.build())
        .build();
  }

  /** The offline eval: up to 2 h, timed out after {@code heartbeatTimeout} without a heartbeat. */
  private static ActivityOptions evalWith(
      Duration heartbeatTimeout, Duration firstRetryAfter, int attempts) {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofHours(2))
        .setHeartbeatTimeout(heartbeatTimeout)
        .setRetryOptions(
            RetryOptions.newBuilder()
                .setInitialInterval(firstRetryAfter)
                .setMaximumAttempts(attempts)
                .build())
        .build();
  }

  /** Retries from {@code initialInterval}, doubling the wait each time. */
  private static RetryOptions.Builder doubling(Duration initialInterval) {
    return RetryOptions.newBuilder().setInitialInterval(initialInterval).setBackoffCoefficient(2);
  }

  private static RolloutActivities stub(ActivityOptions options, String summary) {
    return Workflow.newActivityStub(
        RolloutActivities.class, ActivityOptions.newBuilder(options).setSummary(summary).build());
  }
}
