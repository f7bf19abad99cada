package dev.promptcanary.workflows.rollout;

import dev.promptcanary.workflows.domain.Verdict;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;

/**
 * What the rollout writes about itself: its read model, the audit log and alerts. Under {@link
 * ChangeIds#CONTROLS_PREEMPT} none of it can hold the rollout up: a record that keeps failing is
 * noted and caught up by the next one, audit writes and alerts run in the background and only the
 * end of the run waits for them. Before it, each was a step the rollout waited on.
 */
final class Bookkeeping {
  private final String rolloutId;
  private final RolloutSpec spec;
  private final RolloutMemory memory;
  private final ActivityStubs stubs;
  private final boolean controlsPreempt;

  /** Alerts and audit writes in flight. */
  private final List<Promise<Void>> inBackground = new ArrayList<>();

  /** Whether a write failed since the last read-model record (its note is not stored yet). */
  private boolean unrecordedFailure;

  Bookkeeping(
      String rolloutId,
      RolloutSpec spec,
      RolloutMemory memory,
      ActivityStubs stubs,
      boolean controlsPreempt) {
    this.rolloutId = rolloutId;
    this.spec = spec;
    this.memory = memory;
    this.stubs = stubs;
    this.controlsPreempt = controlsPreempt;
  }

  /** Stores the read model: the checkpoint as it is now, and why (when something ended or held). */
  void record(String reason, String resumedFromRunId) {
    RolloutRecord record =
        new RolloutRecord(
            rolloutId,
            Workflow.getInfo().getRunId(),
            spec,
            memory.checkpoint(),
            reason,
            resumedFromRunId);
    if (!controlsPreempt) {
      stubs.bookkeeping("record " + memory.state).recordProgress(record);
      return;
    }
    unrecordedFailure = false;
    try {
      stubs.bookkeeping("record " + memory.state).recordProgress(record);
    } catch (ActivityFailure e) {
      if (StoreOutage.ridesOut(e)) {
        // A held rollout may have no next record for hours: this one is tried again in the
        // background until the store is back. The store keeps the newer of two records (by the
        // time each was scheduled), so a late success never overwrites a later record.
        memory.note(
            Workflow.currentTimeMillis(),
            "record delayed",
            "the store is unavailable; the record is tried again for up to "
                + StoreOutage.BUDGET.toMinutes()
                + " min: "
                + Text.rootMessage(e));
        // Nothing waits for it: the end of the run has its own catch-up record.
        Async.procedure(
                stubs.storeOutage("record " + memory.state + " (store outage)")::recordProgress,
                record)
            .exceptionally(
                failure -> {
                  memory.note(
                      Workflow.currentTimeMillis(), "record failed", Text.rootMessage(failure));
                  return null;
                });
      } else {
        // The read model catches up at the next record; the rollout does not wait for it.
        memory.note(Workflow.currentTimeMillis(), "record failed", Text.rootMessage(e));
      }
      unrecordedFailure = true;
    }
  }

  /**
   * Records the read model once more at the end if a failure noted since the last record is not
   * stored yet.
   */
  void catchUp(String reason) {
    if (unrecordedFailure) {
      record(reason, null);
    }
  }

  void audit(ControlKind kind, ControlRequest request) {
    AuditEntry entry =
        new AuditEntry(
            rolloutId,
            spec.prompt(),
            request.actor(),
            kind.action(),
            request.reason(),
            request.role(),
            memory.state == null ? null : memory.state.name(),
            memory.canaryWeightBp,
            request.requestId());
    if (controlsPreempt) {
      inBackground(
          "audit",
          Async.procedure(stubs.bookkeeping("audit " + entry.action())::recordAudit, entry));
    } else {
      stubs.bookkeeping("audit " + kind.action()).recordAudit(entry);
    }
  }

  void alert(String event, String reason, Verdict verdict) {
    AlertEvent alert =
        new AlertEvent(
            rolloutId,
            spec.prompt(),
            spec.candidateVersion(),
            event,
            memory.state,
            reason,
            verdict,
            spec.alertWebhook(),
            Workflow.currentTimeMillis());
    if (controlsPreempt) {
      inBackground(
          "alert " + event, Async.procedure(stubs.alert("alert: " + event)::sendAlert, alert));
      return;
    }
    try {
      stubs.alert("alert: " + event).sendAlert(alert);
    } catch (ActivityFailure e) {
      memory.note(Workflow.currentTimeMillis(), "alert failed", event + ": " + Text.rootMessage(e));
    }
  }

  /** Whether every alert and audit write started so far has finished (delivered or given up). */
  boolean settled() {
    return inBackground.stream().allMatch(Promise::isCompleted);
  }

  /** Lets an alert or audit write run on its own; a failure is noted in the timeline. */
  private void inBackground(String what, Promise<Void> effect) {
    inBackground.add(
        effect.exceptionally(
            failure -> {
              memory.note(
                  Workflow.currentTimeMillis(),
                  what.startsWith("audit") ? "audit failed" : "alert failed",
                  what + ": " + Text.rootMessage(failure));
              unrecordedFailure = true;
              return null;
            }));
  }
}
