package dev.promptcanary.workflows.rollout;

import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.Verdict;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.TimerOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The rollout as a short list of named steps (argo-rollouts {@code rollout/canary.go}): {@link
 * #offlineEval}, then for each stage {@link #enterStage} and {@link #bake} (wait, {@link #look},
 * act on the verdict), then promote.
 *
 * <p>Its parts: the state is one {@link RolloutMemory} (with the {@link StageClock}); controls wait
 * in the {@link ControlQueue} and are handled on the rollout's own thread ({@link
 * #handleControls}); every pause, a person's or the rollout's own, is one {@link Hold}; activities
 * get their options from {@link ActivityStubs}; {@link Bookkeeping} writes the read model, the
 * audit log and alerts; {@link SearchAttributePublisher} the search attributes; {@link
 * ControlRules} which controls the validators let through. A rollout ends in one way, through
 * {@link Endings}: its state is final ({@link #ended}), and {@link #run} returns what the ending
 * made.
 *
 * <p>The order of commands (activities, timers, markers, upserts) is what released histories
 * replay: a change to it goes behind a {@link ChangeIds change id} (docs/workflow.md).
 */
public class RolloutWorkflowImpl implements RolloutWorkflow {
  /**
   * Continue as new past this many history events, well below Temporal's limits and our 5,000
   * budget.
   */
  static final int HISTORY_EVENT_LIMIT = 3000;

  private final ControlQueue controls = new ControlQueue();

  /** {@link ChangeIds#CONTROLS_PREEMPT}, decided once per run. */
  private boolean controlsPreempt;

  private String rolloutId;
  private RolloutSpec spec;
  private RolloutMemory memory;
  private ActivityStubs stubs;
  private RoutingCommands routing;
  private Bookkeeping bookkeeping;
  private SearchAttributePublisher searchAttributes;
  private Endings endings;

  /** The latest hold: a resume returns to the state it began in. */
  private Hold hold;

  /** Whether outcomes arrived since the last look. */
  private boolean dataPending;

  private AnalysisReport lastReport;

  /** The gates whose regression the last look showed first (a notify-only rollout alerts them). */
  private List<Verdict> newlyRegressed = List.of();

  /** Whether the stage waiting for approval got it (or its timeout said to go on). */
  private boolean approved;

  @Override
  public RolloutResult run(RolloutInput input) {
    start(input);
    drive();
    settle();
    return endings.result();
  }

  private void start(RolloutInput input) {
    rolloutId = input.rolloutId();
    spec = input.spec();
    controlsPreempt =
        Workflow.getVersion(ChangeIds.CONTROLS_PREEMPT, Workflow.DEFAULT_VERSION, 1) >= 1;
    stubs = new ActivityStubs(controlsPreempt);
    memory = new RolloutMemory(input.checkpoint());
    routing = new RoutingCommands(rolloutId, spec, memory);
    bookkeeping = new Bookkeeping(rolloutId, spec, memory, stubs, controlsPreempt);
    searchAttributes = new SearchAttributePublisher(spec, memory);
    endings = new Endings(rolloutId, spec, memory, stubs, routing, bookkeeping, searchAttributes);
    if (memory.state == RolloutState.AWAITING_APPROVAL) {
      // A checkpoint taken while waiting (a run re-created from PostgreSQL): the stage looks again,
      // and asks again once its gates pass.
      memory.state = RolloutState.CANARY;
    }
    if (memory.canaryWeightBp == 0 && memory.stageEntered && !memory.state.isFinal()) {
      memory.canaryWeightBp =
          stage().weightBp(); // a checkpoint written before the weight was carried
    }
    if (memory.timeline.isEmpty()) {
      memory.note(
          now(),
          "started",
          "rollout of "
              + spec.prompt()
              + " v"
              + spec.candidateVersion()
              + " against v"
              + spec.baselineVersion()
              + " by "
              + spec.startedBy());
      input.planNotes().forEach(note -> memory.note(now(), "plan", note));
    }
    if (input.resumedFromRunId() != null) {
      memory.note(
          now(),
          "resumed",
          "resumed from its checkpoint after run "
              + input.resumedFromRunId()
              + " was lost with the Temporal history");
    }
    searchAttributes.publish();
    bookkeeping.record(null, input.resumedFromRunId());
  }

  /** The steps; returns once the rollout ended. */
  private void drive() {
    if (memory.state == RolloutState.PENDING_EVAL) {
      offlineEval();
    }
    while (!ended() && memory.stageIndex < spec.stages().size()) {
      if (!memory.stageEntered) {
        enterStage();
      } else {
        bake();
        if (!ended()) {
          nextStage();
        }
      }
    }
    if (!ended()) {
      // A promoted rollout reports the last stage it ran, not one past it.
      memory.stageIndex = spec.stages().size() - 1;
      endings.promote(RolloutState.PROMOTED, "every stage passed its gates", lastOverall());
    }
  }

  /**
   * Lets update handlers deliver their answers (and alerts and audit writes finish) before the run
   * closes.
   */
  private void settle() {
    if (controlsPreempt) {
      endWaitingControls(); // e.g. a control taken in the task in which the rollout ended
      Workflow.await(() -> Workflow.isEveryHandlerFinished() && bookkeeping.settled());
      bookkeeping.catchUp(endings.result().reason());
    } else {
      Workflow.await(Workflow::isEveryHandlerFinished);
    }
  }

  private boolean ended() {
    return memory.state.isFinal();
  }

  // ---- offline eval
  // -------------------------------------------------------------------------------------

  /**
   * Runs the offline eval; a rollout below its gate ends {@code EVAL_BLOCKED}, one above it goes to
   * canary.
   */
  private void offlineEval() {
    EvalRequest request =
        new EvalRequest(
            rolloutId,
            spec.prompt(),
            spec.candidateVersion(),
            spec.baselineVersion(),
            spec.evalSuite());
    // An abort or bypass during the eval abandons the activity rather than requesting its
    // cancellation: the rollout
    // closes right after, and an activity of a closed workflow fails its next heartbeat, so the
    // eval stops either
    // way and a cancel request would only add commands and events. (The change was first made
    // because a cancel
    // request crossing the eval's completion left the rollout stuck on the test server,
    // ACTIVITY_UNKNOWN.)
    RolloutActivities evalStub =
        stubs.eval(
            "offline eval",
            Workflow.getVersion(ChangeIds.EVAL_ABANDONED_ON_CONTROL, Workflow.DEFAULT_VERSION, 1)
                >= 1);
    List<Promise<EvalSummary>> running = new ArrayList<>(1);
    CancellationScope scope =
        Workflow.newCancellationScope(
            () -> running.add(Async.function(evalStub::runOfflineEval, request)));
    scope.run();
    Promise<EvalSummary> eval = running.get(0);
    if (controlsPreempt) {
      // A pause or resume is answered while the eval runs; an abort or bypass ends it.
      while (true) {
        Workflow.await(() -> eval.isCompleted() || !controls.isEmpty());
        if (eval.isCompleted() && !controls.hasFinal()) {
          break;
        }
        handleControls();
        if (ended()) {
          scope.cancel();
          return;
        }
      }
    } else {
      Workflow.await(() -> eval.isCompleted() || controls.hasFinal());
    }
    if (!eval.isCompleted()) {
      scope.cancel();
      handleControls();
      return;
    }
    EvalSummary summary;
    try {
      summary = eval.get();
    } catch (ActivityFailure | CanceledFailure e) {
      summary = new EvalSummary(false, "offline eval failed: " + Text.rootMessage(e), 0, 0, 0);
    }
    if (!summary.passed()) {
      endings.finish(RolloutState.EVAL_BLOCKED, "eval_blocked", summary.reason(), null);
      return;
    }
    memory.note(now(), "eval passed", summary.reason());
    memory.state = RolloutState.CANARY;
    handleControls();
  }

  // ---- stages
  // -------------------------------------------------------------------------------------------

  /**
   * Sets routing to the stage's weight and starts its clock; a write that keeps failing holds and
   * is retried.
   */
  private void enterStage() {
    Stage stage = stage();
    RoutingReceipt receipt;
    while (true) {
      try {
        receipt =
            stubs
                .step("set canary weight to " + Text.percent(stage.weightBp()))
                .setRouting(routing.enterStage(stage.weightBp()));
        break;
      } catch (ActivityFailure e) {
        stubs.rethrowUnderOldCode(e);
        holdForFailure("setting the canary weight to " + Text.percent(stage.weightBp()), e);
        if (ended()) {
          return;
        }
      }
    }
    if (!receipt.applied()) {
      endings.finish(
          RolloutState.ABORTED, "aborted", "could not set routing: " + receipt.detail(), null);
      return;
    }
    long now = now();
    memory.routingSequence = receipt.sequence();
    memory.stageEntered = true;
    memory.clock.start(stage.maxBakeSeconds() * 1000);
    if (memory.canaryStartedAtMillis == 0) {
      memory.canaryStartedAtMillis = now;
    }
    memory.state = RolloutState.CANARY;
    memory.canaryWeightBp = stage.weightBp();
    memory.note(
        now,
        "stage " + (memory.stageIndex + 1) + " started",
        "canary at " + Text.percent(memory.canaryWeightBp));
    searchAttributes.publish();
    bookkeeping.record(null, null);
  }

  /**
   * Holds the stage's weight and looks at its data whenever outcomes arrive (or at the check
   * interval), acting on each verdict; returns once the stage passed or the rollout ended.
   */
  private void bake() {
    Stage stage = stage();
    Promise<Void> nextLook = null;
    while (!ended()) {
      long remaining = memory.clock.remaining();
      if (controls.isEmpty() && !dataPending && remaining > 0) {
        // One timer at a time, never cancelled: an early wake-up (new data, a control) leaves it
        // running and the
        // next wait reuses it. Ingest nudges come up to once a second; cancelling and starting a
        // timer at each
        // would add a TimerStarted and a TimerCanceled event every time and bring continue-as-new
        // closer, while a
        // timer left pending costs one TimerFired, at most once per check interval. (First written
        // to avoid a
        // cancel crossing the timer's firing, which the test server could not handle.)
        if (nextLook == null || nextLook.isCompleted()) {
          nextLook =
              Workflow.newTimer(
                  Duration.ofMillis(Math.min(spec.checkIntervalSeconds() * 1000, remaining)),
                  TimerOptions.newBuilder()
                      .setSummary("stage " + (memory.stageIndex + 1) + " bake: next look")
                      .build());
        }
        Promise<Void> timer = nextLook;
        Workflow.await(() -> timer.isCompleted() || !controls.isEmpty() || dataPending);
      }
      if (!controls.isEmpty()) {
        handleControls();
        continue;
      }
      dataPending = false;
      AnalysisReport report = look();
      if (report == null) {
        // A control came first (it is handled next), or the look kept failing and a resume retries
        // it.
        dataPending = true;
        continue;
      }
      Verdict overall = report.overall();
      if (spec.notifyOnly() && !newlyRegressed.isEmpty()) {
        notifyRegressions(newlyRegressed);
      }
      if (overall.decision() == Decision.REGRESSION) {
        endings.rollback(RolloutState.ROLLED_BACK, "regression: " + overall.reason(), overall);
        return;
      }
      if (overall.decision() == Decision.SAMPLE_RATIO_MISMATCH) {
        if (spec.rollsBackOnSampleRatioMismatch()
            || Workflow.getVersion(ChangeIds.SRM_HOLDS, Workflow.DEFAULT_VERSION, 1)
                == Workflow.DEFAULT_VERSION) {
          endings.rollback(
              RolloutState.ROLLED_BACK, "traffic split is broken: " + overall.reason(), overall);
          return;
        }
        hold(
            PauseReason.SAMPLE_RATIO_MISMATCH,
            "stage "
                + (memory.stageIndex + 1)
                + " traffic split is broken (sample ratio mismatch): "
                + overall.reason(),
            overall);
        continue;
      }
      if (overall.decision() == Decision.JUDGE_UNHEALTHY
          && Workflow.getVersion(ChangeIds.JUDGE_HEALTH_HOLD, Workflow.DEFAULT_VERSION, 1) >= 1) {
        hold(
            PauseReason.JUDGE_UNHEALTHY,
            "stage " + (memory.stageIndex + 1) + " judge is unhealthy: " + overall.reason(),
            overall);
        continue;
      }
      if (overall.decision() == Decision.NON_INFERIOR && complete(stage, report)) {
        memory.note(now(), "stage " + (memory.stageIndex + 1) + " passed", overall.reason());
        if (stage.requireApproval()) {
          awaitApproval(stage, overall);
        }
        return;
      }
      if (memory.clock.budgetSpent()) {
        inconclusive(stage, report);
      }
      if (!ended() && historyIsLong()) {
        continueAsNew("history length");
      }
    }
  }

  private void nextStage() {
    memory.stageIndex++;
    memory.stageEntered = false;
    if (memory.stageIndex < spec.stages().size()) {
      continueAsNew("stage boundary");
    }
  }

  /**
   * One look at the stage's data; null when there is no report. Under {@link
   * ChangeIds#CONTROLS_PREEMPT} a control arriving while the look runs or retries abandons it (the
   * control is handled next), and a look that keeps failing holds the rollout.
   */
  private AnalysisReport look() {
    AnalysisRequest request =
        new AnalysisRequest(
            rolloutId,
            spec.prompt(),
            spec.candidateVersion(),
            spec.baselineVersion(),
            memory.canaryWeightBp,
            memory.canaryStartedAtMillis,
            memory.clock.startedAtMillis(),
            spec.stages().size(),
            spec.gates(),
            spec.judge(),
            memory.clock.restarts(),
            spec.notifyOnly());
    String summary = "look at stage " + (memory.stageIndex + 1) + " data";
    if (controlsPreempt) {
      boolean reported =
          Workflow.getVersion(ChangeIds.LOOK_LOCAL_FIRST, Workflow.DEFAULT_VERSION, 1) >= 1
              ? lookLocallyFirst(summary, request)
              : lookThroughActivity(summary, request);
      if (!reported) {
        return null;
      }
    } else {
      lastReport = stubs.step(summary).analyse(request);
    }
    Decision before = memory.lastVerdicts.isEmpty() ? null : memory.lastVerdicts.get(0).decision();
    newlyRegressed = newlyRegressed(memory.lastVerdicts, lastReport.gates());
    memory.lastVerdicts = concat(lastReport.overall(), lastReport.gates());
    if (before != lastReport.overall().decision()) {
      memory.note(
          now(), "verdict " + lastReport.overall().decision(), lastReport.overall().reason());
      bookkeeping.record(null, null);
    }
    return lastReport;
  }

  /**
   * {@link ChangeIds#LOOK_LOCAL_FIRST}: the look as a local activity, then as an activity if it
   * failed or timed out (unless it failed with a programming error, which holds the rollout at
   * once). Sets {@link #lastReport}; false when there is none (a control came first, or the look
   * kept failing and the rollout holds).
   */
  private boolean lookLocallyFirst(String summary, AnalysisRequest request) {
    return lookWith(
        stubs.localLook(summary),
        request,
        failure -> {
          if (ActivityStubs.notRetried(failure)) {
            holdForFailure("the look at the data", failure);
            return false;
          }
          return lookThroughActivity(summary, request);
        });
  }

  /**
   * The look as an activity with the step retries, a control coming first; a store outage is ridden
   * out ({@link #lookThroughStoreOutage}), any other failure that outlasts the retries holds the
   * rollout. Sets {@link #lastReport}; false when there is none.
   */
  private boolean lookThroughActivity(String summary, AnalysisRequest request) {
    return lookWith(
        stubs.step(summary),
        request,
        failure -> {
          if (!StoreOutage.ridesOut(failure)) {
            holdForFailure("the look at the data", failure);
            return false;
          }
          lastReport = lookThroughStoreOutage(summary, request, failure);
          return lastReport != null;
        });
  }

  /**
   * One look through {@code stub}, a control coming first: true with {@link #lastReport} set, false
   * when a control came first, else what {@code onFailure} makes of the look's failure.
   */
  private boolean lookWith(
      RolloutActivities stub,
      AnalysisRequest request,
      Function<ActivityFailure, Boolean> onFailure) {
    Promise<AnalysisReport> look = doneOrControl(Async.function(stub::analyse, request));
    if (look == null) {
      return false;
    }
    try {
      lastReport = look.get();
      return true;
    } catch (ActivityFailure e) {
      return onFailure.apply(e);
    }
  }

  /**
   * The look failed because the store is unavailable ({@link ChangeIds#STORE_OUTAGE_RETRY}): it is
   * tried again for {@link StoreOutage#BUDGET}, a control still coming first; a look still failing
   * after that holds the rollout. Null when there is no report.
   */
  private AnalysisReport lookThroughStoreOutage(
      String summary, AnalysisRequest request, ActivityFailure first) {
    memory.note(
        now(),
        "store unavailable",
        "the look is tried again for up to "
            + StoreOutage.BUDGET.toMinutes()
            + " min: "
            + Text.rootMessage(first));
    Promise<AnalysisReport> look =
        doneOrControl(
            Async.function(stubs.storeOutage(summary + " (store outage)")::analyse, request));
    if (look == null) {
      return null;
    }
    try {
      return look.get();
    } catch (ActivityFailure e) {
      holdForFailure(
          "the look at the data (through " + StoreOutage.BUDGET.toMinutes() + " min of retries)",
          e);
      return null;
    }
  }

  /**
   * Waits for the look to complete or a control to arrive: the look once it completed, null when a
   * control came first (the look is left behind; it only reads).
   */
  private Promise<AnalysisReport> doneOrControl(Promise<AnalysisReport> look) {
    Workflow.await(() -> look.isCompleted() || !controls.isEmpty());
    return look.isCompleted() ? look : null;
  }

  /** The deciding gates regressing in this look that did not in the previous one. */
  private static List<Verdict> newlyRegressed(List<Verdict> previous, List<Verdict> gates) {
    List<Verdict> regressed = new ArrayList<>();
    for (Verdict v : gates) {
      if (v.decision() != Decision.REGRESSION || v.dryRun()) {
        continue;
      }
      boolean before =
          previous.stream()
              .anyMatch(
                  p ->
                      p.gate() == v.gate()
                          && java.util.Objects.equals(p.metric(), v.metric())
                          && p.decision() == Decision.REGRESSION);
      if (!before) {
        regressed.add(v);
      }
    }
    return regressed;
  }

  /**
   * A notify-only rollout shows a regression: it is noted, recorded and alerted, and the rollout
   * goes on (the analysis did not make it the overall verdict, so the gate holds the promotion).
   */
  private void notifyRegressions(List<Verdict> regressed) {
    if (Workflow.getVersion(ChangeIds.NOTIFY_ONLY_ALERTS, Workflow.DEFAULT_VERSION, 1)
        == Workflow.DEFAULT_VERSION) {
      return; // no released code ran notify-only rollouts
    }
    List<String> reasons = new ArrayList<>();
    for (Verdict v : regressed) {
      reasons.add(v.reason());
    }
    String why =
        "notify-only: stage "
            + (memory.stageIndex + 1)
            + " shows a regression, not rolled back: "
            + String.join("; ", reasons);
    memory.note(now(), "regression notified", why);
    bookkeeping.record(why, null);
    bookkeeping.alert("regression_notified", why, regressed.get(0));
  }

  /**
   * A stage that requires approval passed its gates: the rollout waits in {@code AWAITING_APPROVAL}
   * for an {@code approve} (a pause, abort or bypass work as ever), or for its timeout and what the
   * stage says to do then. The approval clock runs on during a pause; a timeout that fell during it
   * applies at the resume.
   */
  private void awaitApproval(Stage stage, Verdict overall) {
    if (Workflow.getVersion(ChangeIds.APPROVAL_STEP, Workflow.DEFAULT_VERSION, 1)
        == Workflow.DEFAULT_VERSION) {
      return; // no released code ran stages that require approval
    }
    approved = false;
    String where =
        "stage " + (memory.stageIndex + 1) + " at " + Text.percent(memory.canaryWeightBp);
    long timeoutSeconds = stage.approvalTimeoutSeconds();
    ApprovalTimeoutAction action = stage.approvalTimeoutActionOrDefault();
    String why =
        where
            + " passed its gates and waits for approval"
            + (timeoutSeconds > 0
                ? " (" + timeoutSeconds + " s, then " + action + ")"
                : " (no timeout)");
    memory.state = RolloutState.AWAITING_APPROVAL;
    memory.note(now(), "awaiting approval", why);
    searchAttributes.publish();
    bookkeeping.record(why, null);
    bookkeeping.alert("awaiting_approval", why + "; approve, abort or bypass it", overall);
    Promise<Void> timer =
        timeoutSeconds > 0
            ? Workflow.newTimer(
                Duration.ofSeconds(timeoutSeconds),
                TimerOptions.newBuilder()
                    .setSummary("stage " + (memory.stageIndex + 1) + " approval timeout")
                    .build())
            : null;
    while (!ended() && !approved) {
      Promise<Void> deadline = timer;
      Workflow.await(() -> !controls.isEmpty() || deadline != null && deadline.isCompleted());
      if (!controls.isEmpty()) {
        handleControls();
        continue;
      }
      timer = null;
      String timedOut = where + ": no approval within " + timeoutSeconds + " s";
      switch (action) {
        case PROMOTE -> {
          memory.note(now(), "approval timed out", timedOut + "; goes on as if approved");
          approved = true;
        }
        case ROLLBACK ->
            endings.rollback(
                RolloutState.ROLLED_BACK, timedOut + " (onApprovalTimeout: ROLLBACK)", overall);
        case HOLD -> {
          memory.note(now(), "approval timed out", timedOut + "; still waiting");
          bookkeeping.record(timedOut, null);
          bookkeeping.alert(
              "held", timedOut + "; still waiting: approve, abort or bypass it", overall);
        }
      }
    }
    if (!ended()) {
      memory.state = RolloutState.CANARY;
    }
  }

  /** A person's approval of the stage waiting for it. */
  private void approve(ControlQueue.Pending control, String by) {
    if (memory.state != RolloutState.AWAITING_APPROVAL) {
      controls.answer(control, memory.state, "not awaiting approval");
      return;
    }
    approved = true;
    memory.state = RolloutState.CANARY;
    boolean last = memory.stageIndex + 1 >= spec.stages().size();
    memory.note(now(), "approved", "stage " + (memory.stageIndex + 1) + " approved" + by);
    searchAttributes.publish();
    bookkeeping.record(null, null);
    controls.answer(
        control,
        memory.state,
        last
            ? "approved: promoting to 100%"
            : "approved: stage "
                + (memory.stageIndex + 2)
                + " at "
                + Text.percent(spec.stages().get(memory.stageIndex + 1).weightBp())
                + " next");
  }

  private boolean complete(Stage stage, AnalysisReport report) {
    return report.canaryJudgements() >= stage.minJudgements()
        && report.stableJudgements() >= stage.minJudgements()
        && memory.clock.baked() >= stage.minBakeSeconds() * 1000;
  }

  /**
   * A stage reached its maximum bake without a decision: its spec's inconclusive policy applies.
   */
  private void inconclusive(Stage stage, AnalysisReport report) {
    String why =
        "stage "
            + (memory.stageIndex + 1)
            + " reached its maximum bake without a decision ("
            + report.canaryJudgements()
            + " canary / "
            + report.stableJudgements()
            + " stable judge scores this stage, "
            + report.overall().reason()
            + ")";
    InconclusivePolicy policy = spec.inconclusivePolicy();
    if (policy == InconclusivePolicy.ROLLBACK) {
      endings.rollback(RolloutState.ROLLED_BACK, why, report.overall());
    } else if (policy == InconclusivePolicy.EXTEND
        && memory.extensionsUsed < spec.maxExtensions()) {
      extend(stage, why, report.overall());
    } else {
      // HOLD, or EXTEND with its budget spent: a person decides.
      hold(PauseReason.INCONCLUSIVE, why, report.overall());
    }
  }

  private void extend(Stage stage, String why, Verdict overall) {
    memory.extensionsUsed++;
    memory.clock.extend(stage.maxBakeSeconds() * 1000);
    memory.note(
        now(),
        "stage extended",
        why + "; extension " + memory.extensionsUsed + " of " + spec.maxExtensions());
    raiseWeightFor(stage);
    if (ended()) {
      return;
    }
    bookkeeping.alert("extended", why, overall);
    bookkeeping.record(why, null);
  }

  /**
   * Before an extension, asks the planner whether more weight would let the stage decide in its
   * next window, and raises the weight (never past the next stage's) if so. The stage then starts
   * over at the new weight, since a stage's test needs one weight throughout. Planning is advice:
   * when it fails the extension goes on at its weight.
   */
  private void raiseWeightFor(Stage stage) {
    int cap =
        memory.stageIndex + 1 < spec.stages().size()
            ? spec.stages().get(memory.stageIndex + 1).weightBp() - 1
            : 5000;
    StagePlanRequest planRequest =
        new StagePlanRequest(
            spec.prompt(),
            spec.baselineVersion(),
            memory.canaryWeightBp,
            Math.max(cap, memory.canaryWeightBp),
            stage.maxBakeSeconds() / 3600.0,
            spec.stages().size(),
            spec.gates());
    StagePlan plan;
    try {
      plan = stubs.step("plan stage " + (memory.stageIndex + 1) + " weight").planStage(planRequest);
    } catch (ActivityFailure e) {
      stubs.rethrowUnderOldCode(e);
      memory.note(
          now(),
          "plan failed",
          "the weight stays at "
              + Text.percent(memory.canaryWeightBp)
              + ": "
              + Text.rootMessage(e));
      return;
    }
    if (plan.weightBp() <= memory.canaryWeightBp) {
      memory.note(now(), "plan", plan.note());
      return;
    }
    RoutingReceipt receipt;
    try {
      receipt =
          stubs
              .step("raise canary weight to " + Text.percent(plan.weightBp()))
              .setRouting(routing.raise(plan.weightBp()));
    } catch (ActivityFailure e) {
      stubs.rethrowUnderOldCode(e);
      holdForFailure("raising the canary weight to " + Text.percent(plan.weightBp()), e);
      return;
    }
    if (!receipt.applied()) {
      endings.rollback(
          RolloutState.ABORTED, "could not raise the canary weight: " + receipt.detail(), null);
      return;
    }
    memory.routingSequence = receipt.sequence();
    memory.canaryWeightBp = plan.weightBp();
    memory.clock.restart(stage.maxBakeSeconds() * 1000);
    memory.note(
        now(),
        "weight raised",
        "canary at "
            + Text.percent(memory.canaryWeightBp)
            + " so the extension can decide: "
            + plan.note());
    searchAttributes.publish();
  }

  // ---- holds
  // --------------------------------------------------------------------------------------------

  /** The rollout holds itself at its weight and alerts: a person resumes, bypasses or aborts it. */
  private void hold(PauseReason reason, String why, Verdict verdict) {
    hold = Hold.begin(memory, reason);
    memory.note(now(), "held", why);
    searchAttributes.publish();
    bookkeeping.record(why, null);
    bookkeeping.alert("held", why + "; resume, bypass or abort it", verdict);
    waitOut(hold);
  }

  /**
   * A step kept failing after its bounded retries; a resume goes on with the stage and retries the
   * step.
   */
  private void holdForFailure(String step, ActivityFailure failure) {
    hold(
        PauseReason.STEP_FAILED,
        "stage "
            + (memory.stageIndex + 1)
            + ": "
            + step
            + " kept failing: "
            + Text.rootMessage(failure),
        null);
  }

  /** A person's pause, answered once the rollout is paused. */
  private void pause(ControlQueue.Pending control, String by) {
    if (memory.state == RolloutState.PAUSED) {
      controls.answer(control, memory.state, "already paused");
      return;
    }
    hold = Hold.begin(memory, PauseReason.USER);
    memory.note(now(), "paused", "paused" + by);
    searchAttributes.publish();
    bookkeeping.record(null, null);
    controls.answer(control, memory.state, "paused at " + Text.percent(memory.canaryWeightBp));
    waitOut(hold);
  }

  /** Handles controls as they come until the spell ends; {@link Hold} says what its end does. */
  private void waitOut(Hold spell) {
    do {
      controls.awaitAny();
      spell.onControl(controls.peekKind(), memory.clock, stage().maxBakeSeconds() * 1000);
      handleControls();
    } while (spell.lastsUntilResumed() && memory.state == RolloutState.PAUSED);
    if (!ended() && spell.restartsStage()) {
      memory.clock.restart(stage().maxBakeSeconds() * 1000);
      memory.note(
          now(),
          "stage restarted",
          "stage "
              + (memory.stageIndex + 1)
              + " starts over at "
              + Text.percent(memory.canaryWeightBp)
              + " with "
              + spell.freshData());
      bookkeeping.record(null, null);
    }
  }

  private void resume(ControlQueue.Pending control, String by) {
    if (memory.state != RolloutState.PAUSED) {
      controls.answer(control, memory.state, "not paused");
      return;
    }
    memory.state =
        controlsPreempt && hold != null
            ? hold.stateBefore()
            : memory.stageEntered ? RolloutState.CANARY : RolloutState.PENDING_EVAL;
    memory.pauseReason = null;
    memory.note(now(), "resumed", "resumed" + by);
    searchAttributes.publish();
    bookkeeping.record(null, null);
    controls.answer(control, memory.state, "resumed at " + Text.percent(memory.canaryWeightBp));
  }

  // ---- controls
  // -----------------------------------------------------------------------------------------

  /**
   * Handles the queued controls in order, each audited first; an abort or bypass ends the rollout.
   */
  private void handleControls() {
    while (!controls.isEmpty()) {
      ControlQueue.Pending control = controls.next();
      ControlRequest request = control.request();
      if (controlsPreempt) {
        request =
            new ControlRequest(
                Text.printable(request.actor()),
                Text.printable(request.reason()),
                request.role(),
                request.requestId());
      }
      bookkeeping.audit(control.kind(), request);
      String by = " by " + request.actor() + ": " + request.reason();
      switch (control.kind()) {
        case ABORT -> {
          endings.rollback(RolloutState.ABORTED, "aborted" + by, null);
          controls.answer(control, memory.state, "rolled back");
          endWaitingControls();
          return;
        }
        case BYPASS -> {
          RolloutResult ended =
              endings.promote(RolloutState.BYPASSED, "emergency bypass" + by, null);
          controls.answer(
              control,
              memory.state,
              ended.state() == RolloutState.BYPASSED
                  ? "promoted to 100% without the remaining gates"
                  : ended.reason());
          endWaitingControls();
          return;
        }
        case PAUSE -> pause(control, by);
        case RESUME -> resume(control, by);
        case APPROVE -> approve(control, by);
      }
    }
  }

  /**
   * The rollout ended with controls still waiting (their validators let them in before it ended):
   * under {@link ChangeIds#ENDED_ROLLOUT_REFUSES_WAITING_CONTROLS} they are refused, so an answer
   * of 200 always means a control that was acted on and audited.
   */
  private void endWaitingControls() {
    if (controls.isEmpty()) {
      return;
    }
    if (Workflow.getVersion(
            ChangeIds.ENDED_ROLLOUT_REFUSES_WAITING_CONTROLS, Workflow.DEFAULT_VERSION, 1)
        >= 1) {
      controls.refuseRemaining(memory.state);
    } else {
      controls.failRemaining(memory.state);
    }
  }

  @Override
  public ControlResult bypass(ControlRequest request) {
    return controls.submit(ControlKind.BYPASS, request);
  }

  @Override
  public void validateBypass(ControlRequest request) {
    ControlRules.validate(ControlKind.BYPASS, request, memory);
  }

  @Override
  public ControlResult abort(ControlRequest request) {
    return controls.submit(ControlKind.ABORT, request);
  }

  @Override
  public void validateAbort(ControlRequest request) {
    ControlRules.validate(ControlKind.ABORT, request, memory);
  }

  @Override
  public ControlResult pause(ControlRequest request) {
    return controls.submit(ControlKind.PAUSE, request);
  }

  @Override
  public void validatePause(ControlRequest request) {
    ControlRules.validate(ControlKind.PAUSE, request, memory);
  }

  @Override
  public ControlResult resume(ControlRequest request) {
    return controls.submit(ControlKind.RESUME, request);
  }

  @Override
  public void validateResume(ControlRequest request) {
    ControlRules.validate(ControlKind.RESUME, request, memory);
  }

  @Override
  public ControlResult approve(ControlRequest request) {
    return controls.submit(ControlKind.APPROVE, request);
  }

  @Override
  public void validateApprove(ControlRequest request) {
    ControlRules.validate(ControlKind.APPROVE, request, memory);
  }

  @Override
  public void dataArrived(DataArrived signal) {
    dataPending = true;
  }

  @Override
  public RolloutProgress progress() {
    AnalysisReport report = lastReport;
    return new RolloutProgress(
        rolloutId,
        spec.prompt(),
        spec.candidateVersion(),
        spec.baselineVersion(),
        memory.state,
        memory.stageIndex + 1,
        spec.stages().size(),
        memory.canaryWeightBp,
        report == null ? 0 : report.canaryJudgements(),
        report == null ? 0 : report.stableJudgements(),
        report == null ? 0 : report.canaryObservations(),
        report == null ? 0 : report.stableObservations(),
        memory.lastVerdicts,
        List.copyOf(memory.timeline),
        memory.pauseReason);
  }

  // ---- plumbing
  // -----------------------------------------------------------------------------------------

  private boolean historyIsLong() {
    return Workflow.getInfo().getHistoryLength() > HISTORY_EVENT_LIMIT
        || Workflow.getInfo().isContinueAsNewSuggested();
  }

  private void continueAsNew(String why) {
    Workflow.await(
        () ->
            Workflow.isEveryHandlerFinished() && (!controlsPreempt || bookkeeping.settled())
                || !controls.isEmpty());
    if (!controls.isEmpty()) {
      return; // handle the controls first; the next boundary or look continues as new
    }
    memory.note(now(), "continued as new", why);
    Workflow.continueAsNew(new RolloutInput(rolloutId, spec, memory.checkpoint(), null));
  }

  private Stage stage() {
    return spec.stages().get(Math.min(memory.stageIndex, spec.stages().size() - 1));
  }

  private Verdict lastOverall() {
    return memory.lastVerdicts.isEmpty() ? null : memory.lastVerdicts.get(0);
  }

  private static long now() {
    return Workflow.currentTimeMillis();
  }

  private static List<Verdict> concat(Verdict first, List<Verdict> rest) {
    List<Verdict> all = new ArrayList<>(rest.size() + 1);
    all.add(first);
    all.addAll(rest);
    return all;
  }
}
