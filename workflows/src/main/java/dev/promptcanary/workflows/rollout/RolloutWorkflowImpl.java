package dev.promptcanary.workflows.rollout;

import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.Verdict;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.TimerOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;

/**
 * The rollout: offline eval, then each stage's weight, looks at the data whenever new outcomes arrive (or at the
 * check interval), roll back the moment a gate shows a regression, promote a stage once it is complete and every
 * gate is non-inferior. Controls queue up and are handled between steps, in order.
 */
public class RolloutWorkflowImpl implements RolloutWorkflow {
  /** Continue as new past this many history events, well below Temporal's limits and our 5,000 budget. */
  static final int HISTORY_EVENT_LIMIT = 3000;

  private static final Logger LOG = Workflow.getLogger(RolloutWorkflowImpl.class);

  private enum StageOutcome {
    NEXT,
    DONE
  }

  private final ControlQueue controls = new ControlQueue();
  /** {@link ChangeIds#CONTROLS_PREEMPT}, decided once per run. */
  private boolean controlsPreempt;
  /** The state a paused rollout returns to on resume (under {@link ChangeIds#CONTROLS_PREEMPT}). */
  private RolloutState stateBeforePause;
  private boolean dataPending;
  private String rolloutId;
  private RolloutSpec spec;
  private RolloutMemory memory;
  private AnalysisReport lastReport;
  private RolloutResult result;
  private ActivityStubs stubs;
  private SearchAttributePublisher searchAttributes;
  private Bookkeeping bookkeeping;

  @Override
  public RolloutResult run(RolloutInput input) {
    rolloutId = input.rolloutId();
    spec = input.spec();
    controlsPreempt = Workflow.getVersion(ChangeIds.CONTROLS_PREEMPT, Workflow.DEFAULT_VERSION, 1) >= 1;
    stubs = new ActivityStubs(controlsPreempt);
    memory = new RolloutMemory(input.checkpoint());
    searchAttributes = new SearchAttributePublisher(spec, memory);
    bookkeeping = new Bookkeeping(rolloutId, spec, memory, stubs, controlsPreempt);
    if (memory.canaryWeightBp == 0 && memory.stageEntered && !memory.state.isFinal()) {
      memory.canaryWeightBp = stage().weightBp(); // a checkpoint written before the weight was carried
    }
    if (memory.timeline.isEmpty()) {
      memory.note(now(), "started", "rollout of " + spec.prompt() + " v" + spec.candidateVersion() + " against v"
          + spec.baselineVersion() + " by " + spec.startedBy());
      input.planNotes().forEach(note -> memory.note(now(), "plan", note));
    }
    if (input.resumedFromRunId() != null) {
      memory.note(now(), "resumed", "resumed from its checkpoint after run " + input.resumedFromRunId()
          + " was lost with the Temporal history");
    }
    searchAttributes.publish();
    bookkeeping.record(null, input.resumedFromRunId());

    result = drive();
    // Let update handlers deliver their answers before the run closes.
    if (controlsPreempt) {
      controls.failRemaining(memory.state); // e.g. a pause sent while the eval was blocking the rollout
      // Controls were answered already; alerts and audit writes may still be retrying.
      Workflow.await(() -> Workflow.isEveryHandlerFinished() && bookkeeping.settled());
      bookkeeping.catchUp(result.reason());
    } else {
      Workflow.await(Workflow::isEveryHandlerFinished);
    }
    return result;
  }

  private RolloutResult drive() {
    if (memory.state == RolloutState.PENDING_EVAL) {
      RolloutResult blocked = offlineEval();
      if (blocked != null) {
        return blocked;
      }
    }
    while (memory.stageIndex < spec.stages().size()) {
      if (!memory.stageEntered) {
        RolloutResult refused = enterStage();
        if (refused != null) {
          return refused;
        }
      }
      if (bake() == StageOutcome.DONE) {
        return result;
      }
      memory.stageIndex++;
      memory.stageEntered = false;
      if (memory.stageIndex < spec.stages().size()) {
        continueAsNew("stage boundary");
      }
    }
    // A promoted rollout reports the last stage it ran, not one past it.
    memory.stageIndex = spec.stages().size() - 1;
    return promote(RolloutState.PROMOTED, "every stage passed its gates", lastOverall());
  }

  // ---- offline eval -------------------------------------------------------------------------------------

  private RolloutResult offlineEval() {
    EvalRequest request =
        new EvalRequest(rolloutId, spec.prompt(), spec.candidateVersion(), spec.baselineVersion(), spec.evalSuite());
    // An abort or bypass during the eval abandons the activity instead of asking the server to cancel it: the
    // cancel request can cross the activity's completion, which the test server rejects (ACTIVITY_UNKNOWN) and
    // leaves the rollout stuck. The abandoned eval stops at its next heartbeat.
    RolloutActivities evalStub = stubs.eval("offline eval",
        Workflow.getVersion(ChangeIds.EVAL_ABANDONED_ON_CONTROL, Workflow.DEFAULT_VERSION, 1) >= 1);
    Promise<EvalSummary>[] eval = new Promise[1];
    CancellationScope scope = Workflow.newCancellationScope(() -> eval[0] = Async.function(evalStub::runOfflineEval, request));
    scope.run();
    if (controlsPreempt) {
      // A pause or resume is answered while the eval runs; an abort or bypass ends it.
      while (true) {
        Workflow.await(() -> eval[0].isCompleted() || !controls.isEmpty());
        if (eval[0].isCompleted() && !controls.hasFinal()) {
          break;
        }
        RolloutResult controlled = handleControls();
        if (controlled != null) {
          scope.cancel();
          return controlled;
        }
      }
    } else {
      Workflow.await(() -> eval[0].isCompleted() || controls.hasFinal());
    }
    if (!eval[0].isCompleted()) {
      scope.cancel();
      return handleControls();
    }
    EvalSummary summary;
    try {
      summary = eval[0].get();
    } catch (ActivityFailure | CanceledFailure e) {
      summary = new EvalSummary(false, "offline eval failed: " + Text.rootMessage(e), 0, 0, 0);
    }
    if (!summary.passed()) {
      return finish(RolloutState.EVAL_BLOCKED, "eval_blocked", summary.reason(), null);
    }
    memory.note(now(), "eval passed", summary.reason());
    memory.state = RolloutState.CANARY;
    RolloutResult controlled = handleControls();
    return controlled;
  }

  // ---- stages -------------------------------------------------------------------------------------------

  private RolloutResult enterStage() {
    Stage stage = stage();
    RoutingReceipt receipt;
    while (true) {
      try {
        receipt = stubs.step("set canary weight to " + Text.percent(stage.weightBp())).setRouting(
            new RoutingCommand(rolloutId, spec.prompt(), !memory.routingClaimed(), false, memory.routingSequence + 1,
                spec.baselineVersion(), spec.candidateVersion(), stage.weightBp(),
                "stage " + (memory.stageIndex + 1) + " of " + spec.stages().size()));
        break;
      } catch (ActivityFailure e) {
        rethrowUnderOldCode(e);
        holdForFailure("setting the canary weight to " + Text.percent(stage.weightBp()), e);
        if (result != null) {
          return result;
        }
      }
    }
    if (!receipt.applied()) {
      return finish(RolloutState.ABORTED, "aborted", "could not set routing: " + receipt.detail(), null);
    }
    long now = now();
    memory.routingSequence = receipt.sequence();
    memory.stageEntered = true;
    memory.clock.restart(stage.maxBakeSeconds() * 1000);
    if (memory.canaryStartedAtMillis == 0) {
      memory.canaryStartedAtMillis = now;
    }
    memory.state = RolloutState.CANARY;
    memory.canaryWeightBp = stage.weightBp();
    memory.note(now, "stage " + (memory.stageIndex + 1) + " started", "canary at " + Text.percent(memory.canaryWeightBp));
    searchAttributes.publish();
    bookkeeping.record(null, null);
    return null;
  }

  private StageOutcome bake() {
    Stage stage = stage();
    Promise<Void> nextLook = null;
    while (true) {
      long remaining = memory.clock.remaining();
      if (controls.isEmpty() && !dataPending && remaining > 0) {
        // One timer at a time, never cancelled: an early wake-up (new data, a control) leaves it running and the
        // next wait reuses it. Cancelling a timer that fires in the same instant is a race the test server
        // cannot handle, and a pending timer costs nothing.
        if (nextLook == null || nextLook.isCompleted()) {
          nextLook = Workflow.newTimer(Duration.ofMillis(Math.min(spec.checkIntervalSeconds() * 1000, remaining)),
              TimerOptions.newBuilder().setSummary("stage " + (memory.stageIndex + 1) + " bake: next look").build());
        }
        Promise<Void> timer = nextLook;
        Workflow.await(() -> timer.isCompleted() || !controls.isEmpty() || dataPending);
      }
      if (!controls.isEmpty()) {
        if (handleControls() != null) {
          return StageOutcome.DONE;
        }
        continue;
      }
      dataPending = false;
      AnalysisReport report = look();
      if (report == null) {
        // A control came first (it is handled next), or the look kept failing and the rollout was held.
        if (result != null) {
          return StageOutcome.DONE;
        }
        dataPending = true; // look again at once
        continue;
      }
      Verdict overall = report.overall();
      if (overall.decision() == Decision.REGRESSION) {
        rollback(RolloutState.ROLLED_BACK, "regression: " + overall.reason(), overall);
        return StageOutcome.DONE;
      }
      if (overall.decision() == Decision.SAMPLE_RATIO_MISMATCH) {
        if (spec.rollsBackOnSampleRatioMismatch()
            || Workflow.getVersion(ChangeIds.SRM_HOLDS, Workflow.DEFAULT_VERSION, 1) == Workflow.DEFAULT_VERSION) {
          rollback(RolloutState.ROLLED_BACK, "traffic split is broken: " + overall.reason(), overall);
          return StageOutcome.DONE;
        }
        holdAndRestart(PauseReason.SAMPLE_RATIO_MISMATCH, "stage " + (memory.stageIndex + 1)
            + " traffic split is broken (sample ratio mismatch): " + overall.reason(), overall, "fresh data");
        if (result != null) {
          return StageOutcome.DONE;
        }
        continue;
      }
      if (overall.decision() == Decision.JUDGE_UNHEALTHY
          && Workflow.getVersion(ChangeIds.JUDGE_HEALTH_HOLD, Workflow.DEFAULT_VERSION, 1) >= 1) {
        holdAndRestart(PauseReason.JUDGE_UNHEALTHY, "stage " + (memory.stageIndex + 1) + " judge is unhealthy: "
            + overall.reason(), overall, "fresh judge scores");
        if (result != null) {
          return StageOutcome.DONE;
        }
        continue;
      }
      if (overall.decision() == Decision.NON_INFERIOR && complete(stage, report)) {
        memory.note(now(), "stage " + (memory.stageIndex + 1) + " passed", overall.reason());
        return StageOutcome.NEXT;
      }
      if (memory.clock.budgetSpent() && inconclusive(stage, report)) {
        return StageOutcome.DONE;
      }
      if (historyIsLong()) {
        continueAsNew("history length");
      }
    }
  }

  private boolean complete(Stage stage, AnalysisReport report) {
    return report.canaryJudgements() >= stage.minJudgements()
        && report.baselineJudgements() >= stage.minJudgements()
        && memory.clock.baked() >= stage.minBakeSeconds() * 1000;
  }

  /** Applies the inconclusive policy; true when the rollout ended. */
  private boolean inconclusive(Stage stage, AnalysisReport report) {
    String why = "stage " + (memory.stageIndex + 1) + " reached its maximum bake without a decision ("
        + report.canaryJudgements() + " canary / " + report.baselineJudgements()
        + " baseline judge scores this stage, "
        + report.overall().reason() + ")";
    InconclusivePolicy policy = spec.inconclusivePolicy();
    if (policy == InconclusivePolicy.ROLLBACK) {
      rollback(RolloutState.ROLLED_BACK, why, report.overall());
      return true;
    }
    if (policy == InconclusivePolicy.EXTEND && memory.extensionsUsed < spec.maxExtensions()) {
      memory.extensionsUsed++;
      memory.clock.extend(stage.maxBakeSeconds() * 1000);
      memory.note(now(), "stage extended", why + "; extension " + memory.extensionsUsed + " of " + spec.maxExtensions());
      if (raiseWeightFor(stage) == null) {
        return true;
      }
      bookkeeping.alert("extended", why, report.overall());
      bookkeeping.record(why, null);
      return false;
    }
    // HOLD, or EXTEND with its budget spent: a person decides.
    hold(PauseReason.INCONCLUSIVE, why, report.overall());
    return result != null;
  }

  /**
   * Before an extension, asks the planner whether more weight would let the stage decide in its next window, and
   * raises the weight (never past the next stage's) if so. The stage then starts over at the new weight, since a
   * stage's test needs one weight throughout. Returns null when the rollout ended (routing was taken).
   */
  private Boolean raiseWeightFor(Stage stage) {
    int cap = memory.stageIndex + 1 < spec.stages().size()
        ? spec.stages().get(memory.stageIndex + 1).weightBp() - 1
        : 5000;
    StagePlanRequest planRequest = new StagePlanRequest(spec.prompt(), spec.baselineVersion(), memory.canaryWeightBp,
        Math.max(cap, memory.canaryWeightBp), stage.maxBakeSeconds() / 3600.0, spec.stages().size(), spec.gates());
    StagePlan plan;
    try {
      plan = stubs.step("plan stage " + (memory.stageIndex + 1) + " weight").planStage(planRequest);
    } catch (ActivityFailure e) {
      rethrowUnderOldCode(e);
      // the extension goes on at its weight: planning is advice
      memory.note(now(), "plan failed", "the weight stays at " + Text.percent(memory.canaryWeightBp) + ": "
          + Text.rootMessage(e));
      return false;
    }
    if (plan.weightBp() <= memory.canaryWeightBp) {
      memory.note(now(), "plan", plan.note());
      return false;
    }
    RoutingReceipt receipt;
    try {
      receipt = stubs.step("raise canary weight to " + Text.percent(plan.weightBp())).setRouting(
          new RoutingCommand(rolloutId, spec.prompt(), false, false, memory.routingSequence + 1,
              spec.baselineVersion(), spec.candidateVersion(), plan.weightBp(), "more weight for the extension"));
    } catch (ActivityFailure e) {
      rethrowUnderOldCode(e);
      holdForFailure("raising the canary weight to " + Text.percent(plan.weightBp()), e);
      return result == null ? false : null;
    }
    if (!receipt.applied()) {
      rollback(RolloutState.ABORTED, "could not raise the canary weight: " + receipt.detail(), null);
      return null;
    }
    memory.routingSequence = receipt.sequence();
    memory.canaryWeightBp = plan.weightBp();
    memory.clock.restart(stage.maxBakeSeconds() * 1000);
    memory.note(now(), "weight raised", "canary at " + Text.percent(memory.canaryWeightBp) + " so the extension can decide: "
        + plan.note());
    searchAttributes.publish();
    return true;
  }

  private void hold(PauseReason reason, String why, Verdict verdict) {
    stateBeforePause = memory.state;
    memory.state = RolloutState.PAUSED;
    memory.pauseReason = reason;
    long heldAt = now();
    long bakedAtHold = memory.clock.baked();
    memory.note(heldAt, "held", why);
    searchAttributes.publish();
    bookkeeping.record(why, null);
    bookkeeping.alert("held", why + "; resume, bypass or abort it", verdict);
    while (result == null && memory.state == RolloutState.PAUSED) {
      controls.awaitAny();
      if (controls.peekKind() == ControlKind.RESUME) {
        // Time held is not bake time, and a resumed stage gets another maximum bake.
        memory.clock.paused(heldAt);
        memory.clock.allowMore(bakedAtHold, stage().maxBakeSeconds() * 1000);
      }
      handleControls();
    }
  }

  /**
   * Holds while the stage's data cannot be trusted (an unhealthy judge biases the quality gate, a broken split every
   * comparison). On resume the stage starts over at its weight, so its test uses only data from after the cause was
   * fixed.
   */
  private void holdAndRestart(PauseReason reason, String why, Verdict verdict, String freshData) {
    hold(reason, why, verdict);
    if (result == null && memory.state != RolloutState.PAUSED) {
      memory.clock.restart(stage().maxBakeSeconds() * 1000);
      memory.note(now(), "stage restarted", "stage " + (memory.stageIndex + 1) + " starts over at "
          + Text.percent(memory.canaryWeightBp) + " with " + freshData);
      bookkeeping.record(null, null);
    }
  }

  /** Holds because a step kept failing; a resume goes on with the stage and retries the step. */
  private void holdForFailure(String step, ActivityFailure failure) {
    hold(PauseReason.STEP_FAILED, "stage " + (memory.stageIndex + 1) + ": " + step + " kept failing: "
        + Text.rootMessage(failure), null);
  }

  /**
   * One look at the stage's data. Under {@link ChangeIds#CONTROLS_PREEMPT} a control arriving while the look runs
   * or retries abandons it (null: the control is handled next), and a look that keeps failing holds the rollout
   * (null).
   */
  private AnalysisReport look() {
    AnalysisRequest request = new AnalysisRequest(rolloutId, spec.prompt(), spec.candidateVersion(),
        spec.baselineVersion(), memory.canaryWeightBp, memory.canaryStartedAtMillis, memory.clock.startedAtMillis(),
        spec.stages().size(), spec.gates(), spec.judge());
    String summary = "look at stage " + (memory.stageIndex + 1) + " data";
    if (controlsPreempt) {
      Promise<AnalysisReport> look = Async.function(stubs.step(summary)::analyse, request);
      Workflow.await(() -> look.isCompleted() || !controls.isEmpty());
      if (!look.isCompleted()) {
        return null;
      }
      try {
        lastReport = look.get();
      } catch (ActivityFailure e) {
        holdForFailure("the look at the data", e);
        return null;
      }
    } else {
      lastReport = stubs.step(summary).analyse(request);
    }
    Decision before = memory.lastVerdicts.isEmpty() ? null : memory.lastVerdicts.get(0).decision();
    memory.lastVerdicts = concat(lastReport.overall(), lastReport.gates());
    if (before != lastReport.overall().decision()) {
      memory.note(now(), "verdict " + lastReport.overall().decision(), lastReport.overall().reason());
      bookkeeping.record(null, null);
    }
    return lastReport;
  }

  // ---- controls -----------------------------------------------------------------------------------------

  /** Handles queued controls in order; returns the result when one of them ended the rollout. */
  private RolloutResult handleControls() {
    while (!controls.isEmpty()) {
      ControlQueue.Pending control = controls.next();
      ControlRequest request = control.request();
      if (controlsPreempt) {
        request = new ControlRequest(Text.printable(request.actor()), Text.printable(request.reason()));
      }
      bookkeeping.audit(control.kind(), request);
      String by = " by " + request.actor() + ": " + request.reason();
      switch (control.kind()) {
        case ABORT -> {
          rollback(RolloutState.ABORTED, "aborted" + by, null);
          controls.answer(control, memory.state, "rolled back");
          controls.failRemaining(memory.state);
          return result;
        }
        case BYPASS -> {
          promote(RolloutState.BYPASSED, "emergency bypass" + by, null);
          controls.answer(control, memory.state, result.state() == RolloutState.BYPASSED
              ? "promoted to 100% without the remaining gates" : result.reason());
          controls.failRemaining(memory.state);
          return result;
        }
        case PAUSE -> {
          if (memory.state == RolloutState.PAUSED) {
            controls.answer(control, memory.state, "already paused");
            continue;
          }
          stateBeforePause = memory.state;
          memory.state = RolloutState.PAUSED;
          memory.pauseReason = PauseReason.USER;
          long pausedAt = now();
          memory.note(pausedAt, "paused", "paused" + by);
          searchAttributes.publish();
          bookkeeping.record(null, null);
          controls.answer(control, memory.state, "paused at " + Text.percent(memory.canaryWeightBp));
          controls.awaitAny();
          memory.clock.paused(pausedAt);
        }
        case RESUME -> {
          if (memory.state != RolloutState.PAUSED) {
            controls.answer(control, memory.state, "not paused");
            continue;
          }
          memory.state = controlsPreempt && stateBeforePause != null ? stateBeforePause
              : memory.stageEntered ? RolloutState.CANARY : RolloutState.PENDING_EVAL;
          memory.pauseReason = null;
          memory.note(now(), "resumed", "resumed" + by);
          searchAttributes.publish();
          bookkeeping.record(null, null);
          controls.answer(control, memory.state, "resumed at " + Text.percent(memory.canaryWeightBp));
        }
      }
    }
    return null;
  }

  private void validate(ControlRequest request, boolean allowed, String notAllowed) {
    if (request == null || request.actor() == null || request.actor().isBlank()) {
      throw ApplicationFailure.newNonRetryableFailure("actor is required", RolloutMessages.INVALID_CONTROL);
    }
    if (request.reason() == null || request.reason().isBlank()) {
      throw ApplicationFailure.newNonRetryableFailure("reason is required", RolloutMessages.INVALID_CONTROL);
    }
    if (result != null || memory == null || memory.state.isFinal()) {
      throw ApplicationFailure.newNonRetryableFailure(
          "the rollout has already ended (" + (memory == null ? "?" : memory.state) + ")",
          RolloutMessages.CONTROL_NOT_ALLOWED);
    }
    if (!allowed) {
      throw ApplicationFailure.newNonRetryableFailure(notAllowed, RolloutMessages.CONTROL_NOT_ALLOWED);
    }
  }

  @Override
  public ControlResult bypass(ControlRequest request) {
    return controls.submit(ControlKind.BYPASS, request);
  }

  @Override
  public void validateBypass(ControlRequest request) {
    validate(request, true, "");
  }

  @Override
  public ControlResult abort(ControlRequest request) {
    return controls.submit(ControlKind.ABORT, request);
  }

  @Override
  public void validateAbort(ControlRequest request) {
    validate(request, true, "");
  }

  @Override
  public ControlResult pause(ControlRequest request) {
    return controls.submit(ControlKind.PAUSE, request);
  }

  @Override
  public void validatePause(ControlRequest request) {
    validate(request, memory != null && memory.state != RolloutState.PAUSED, "the rollout is already paused");
  }

  @Override
  public ControlResult resume(ControlRequest request) {
    return controls.submit(ControlKind.RESUME, request);
  }

  @Override
  public void validateResume(ControlRequest request) {
    validate(request, memory != null && memory.state == RolloutState.PAUSED, "the rollout is not paused");
  }

  @Override
  public void dataArrived(DataArrived signal) {
    dataPending = true;
  }

  @Override
  public RolloutProgress progress() {
    AnalysisReport report = lastReport;
    return new RolloutProgress(
        rolloutId, spec.prompt(), spec.candidateVersion(), spec.baselineVersion(), memory.state,
        memory.stageIndex + 1, spec.stages().size(), memory.canaryWeightBp,
        report == null ? 0 : report.canaryJudgements(), report == null ? 0 : report.baselineJudgements(),
        report == null ? 0 : report.canaryObservations(), report == null ? 0 : report.baselineObservations(),
        memory.lastVerdicts, List.copyOf(memory.timeline), memory.pauseReason);
  }

  // ---- endings ------------------------------------------------------------------------------------------

  private RolloutResult rollback(RolloutState state, String reason, Verdict verdict) {
    if (memory.routingClaimed()) {
      try {
        RoutingReceipt receipt = stubs.step("roll back to v" + spec.baselineVersion()).setRouting(
            new RoutingCommand(rolloutId, spec.prompt(), false, true, memory.routingSequence + 1,
                spec.baselineVersion(), null, 0, "rollback"));
        reason = receipt.applied() ? reason : reason + " (routing was not ours to reset: " + receipt.detail() + ")";
        memory.routingSequence = Math.max(memory.routingSequence, receipt.sequence());
      } catch (ActivityFailure e) {
        rethrowUnderOldCode(e);
        // The rollout still ends, saying routing is not reset.
        reason = reason + " (routing could not be reset, set it by hand: " + Text.rootMessage(e) + ")";
      }
    }
    memory.canaryWeightBp = 0;
    return finish(state, state == RolloutState.ABORTED ? "aborted" : "rolled_back", reason, verdict);
  }

  private RolloutResult promote(RolloutState state, String reason, Verdict verdict) {
    RoutingReceipt receipt;
    try {
      receipt = stubs.step("promote v" + spec.candidateVersion() + " to stable").setRouting(
          new RoutingCommand(rolloutId, spec.prompt(), !memory.routingClaimed(), true, memory.routingSequence + 1,
              spec.candidateVersion(), null, 0, state == RolloutState.BYPASSED ? "emergency bypass" : "promotion"));
    } catch (ActivityFailure e) {
      rethrowUnderOldCode(e);
      // The promotion did not happen, so the candidate leaves the traffic.
      return rollback(RolloutState.ABORTED, "could not promote: " + Text.rootMessage(e), verdict);
    }
    if (!receipt.applied()) {
      return finish(RolloutState.ABORTED, "aborted", "could not promote: " + receipt.detail(), verdict);
    }
    memory.routingSequence = receipt.sequence();
    memory.canaryWeightBp = 10_000;
    return finish(state, state == RolloutState.BYPASSED ? "bypassed" : "promoted", reason, verdict);
  }

  private RolloutResult finish(RolloutState state, String event, String reason, Verdict verdict) {
    memory.state = state;
    memory.note(now(), event, reason);
    searchAttributes.publish();
    bookkeeping.record(reason, null);
    bookkeeping.alert(event, reason, verdict);
    LOG.info("rollout {} ended {}: {}", rolloutId, state, reason);
    result = new RolloutResult(state, reason, memory.stageIndex, memory.canaryWeightBp);
    return result;
  }

  // ---- plumbing -----------------------------------------------------------------------------------------

  /** Before {@link ChangeIds#CONTROLS_PREEMPT} a failed step failed the workflow; replays keep that. */
  private void rethrowUnderOldCode(ActivityFailure failure) {
    if (!controlsPreempt) {
      throw failure;
    }
  }

  private boolean historyIsLong() {
    return Workflow.getInfo().getHistoryLength() > HISTORY_EVENT_LIMIT
        || Workflow.getInfo().isContinueAsNewSuggested();
  }

  private void continueAsNew(String why) {
    Workflow.await(() -> Workflow.isEveryHandlerFinished() && (!controlsPreempt || bookkeeping.settled())
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
    java.util.ArrayList<Verdict> all = new java.util.ArrayList<>(rest.size() + 1);
    all.add(first);
    all.addAll(rest);
    return all;
  }
}
