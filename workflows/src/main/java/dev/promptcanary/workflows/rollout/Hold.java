package dev.promptcanary.workflows.rollout;

import io.temporal.workflow.Workflow;

/**
 * One spell of {@link RolloutState#PAUSED}: why ({@link PauseReason}), the state a resume returns
 * to, and the stage clock when it began. The one place that says what the end of a spell does for
 * each reason (argo-rollouts {@code rollout/pause.go}):
 *
 * <ul>
 *   <li>{@link PauseReason#USER}: the spell ends at the next control; the time paused is not bake
 *       time.
 *   <li>{@link PauseReason#INCONCLUSIVE}, {@link PauseReason#STEP_FAILED}: the spell ends at a
 *       resume; the time held is not bake time, and the stage gets another maximum bake from there.
 *   <li>{@link PauseReason#JUDGE_UNHEALTHY}, {@link PauseReason#SAMPLE_RATIO_MISMATCH}: as the
 *       previous, then the stage starts over at its weight ({@link PauseReason#restartsStage()}),
 *       so its test uses only data from after the cause was fixed.
 * </ul>
 *
 * <p>Abort and bypass end any spell by ending the rollout.
 */
final class Hold {
  private final PauseReason reason;
  private final RolloutState stateBefore;
  private final long heldAtMillis;
  private final long bakedAtHold;

  private Hold(PauseReason reason, RolloutState stateBefore, long heldAtMillis, long bakedAtHold) {
    this.reason = reason;
    this.stateBefore = stateBefore;
    this.heldAtMillis = heldAtMillis;
    this.bakedAtHold = bakedAtHold;
  }

  /** Puts the rollout in {@link RolloutState#PAUSED} for {@code reason}. */
  static Hold begin(RolloutMemory memory, PauseReason reason) {
    Hold hold = new Hold(reason, memory.state, Workflow.currentTimeMillis(), memory.clock.baked());
    memory.state = RolloutState.PAUSED;
    memory.pauseReason = reason;
    return hold;
  }

  /**
   * Called when a control arrives during the spell, before it is handled: settles the stage clock
   * if it ends it.
   */
  void onControl(ControlKind next, StageClock clock, long maxBakeMillis) {
    switch (reason) {
      case USER -> clock.paused(heldAtMillis);
      case INCONCLUSIVE, STEP_FAILED, JUDGE_UNHEALTHY, SAMPLE_RATIO_MISMATCH -> {
        if (next == ControlKind.RESUME) {
          clock.paused(heldAtMillis);
          clock.allowMore(bakedAtHold, maxBakeMillis);
        }
      }
    }
  }

  /**
   * Whether the spell lasts until a resume. A person's pause ends at the next control instead:
   * while paused the validators let only resume, abort and bypass through, but a second pause that
   * raced past them before the first was handled ends it too, and the stage then bakes on in {@code
   * PAUSED}. That is how the code was released and running histories replay it; changing it needs a
   * change id.
   */
  boolean lastsUntilResumed() {
    return reason != PauseReason.USER;
  }

  boolean restartsStage() {
    return reason.restartsStage();
  }

  /** What a restarted stage's test will use, for the timeline. */
  String freshData() {
    return reason == PauseReason.JUDGE_UNHEALTHY ? "fresh judge scores" : "fresh data";
  }

  RolloutState stateBefore() {
    return stateBefore;
  }
}
