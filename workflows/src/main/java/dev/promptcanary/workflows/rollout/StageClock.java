package dev.promptcanary.workflows.rollout;

import io.temporal.workflow.Workflow;

/**
 * The current stage's bake clock: when it started, how long it was paused (which is not bake time), and how much
 * bake time it may use before its inconclusive policy applies (its maximum bake, plus any extension). Carried in
 * the {@link Checkpoint}; workflow time only.
 */
final class StageClock {
  private long startedAtMillis;
  private long pausedMillis;
  private long budgetMillis;

  StageClock(long startedAtMillis, long pausedMillis, long budgetMillis) {
    this.startedAtMillis = startedAtMillis;
    this.pausedMillis = pausedMillis;
    this.budgetMillis = budgetMillis;
  }

  /** Starts the stage's clock over: entering a stage, a raised weight, a stage whose data could not be trusted. */
  void restart(long budgetMillis) {
    startedAtMillis = Workflow.currentTimeMillis();
    pausedMillis = 0;
    this.budgetMillis = budgetMillis;
  }

  /** Bake time so far: time since the stage started, less time paused. */
  long baked() {
    return Workflow.currentTimeMillis() - startedAtMillis - pausedMillis;
  }

  long remaining() {
    return budgetMillis - baked();
  }

  boolean budgetSpent() {
    return baked() >= budgetMillis;
  }

  void extend(long millis) {
    budgetMillis += millis;
  }

  /** Stops the clock for time spent paused since {@code pausedAtMillis}. */
  void paused(long pausedAtMillis) {
    pausedMillis += Workflow.currentTimeMillis() - pausedAtMillis;
  }

  /** Lets the stage bake {@code millis} more than it had baked at {@code bakedMillis}. */
  void allowMore(long bakedMillis, long millis) {
    budgetMillis = bakedMillis + millis;
  }

  long startedAtMillis() {
    return startedAtMillis;
  }

  long pausedMillis() {
    return pausedMillis;
  }

  long budgetMillis() {
    return budgetMillis;
  }
}
