package dev.promptcanary.workflows.rollout;

import io.temporal.workflow.Workflow;

/**
 * The current stage's bake clock: when it started, how long it was paused (which is not bake time),
 * and how much bake time it may use before its inconclusive policy applies (its maximum bake, plus
 * any extension). Carried in the {@link Checkpoint}; workflow time only.
 */
final class StageClock {
  private long startedAtMillis;
  private long pausedMillis;
  private long budgetMillis;
  private int restarts;

  StageClock(long startedAtMillis, long pausedMillis, long budgetMillis, int restarts) {
    this.startedAtMillis = startedAtMillis;
    this.pausedMillis = pausedMillis;
    this.budgetMillis = budgetMillis;
    this.restarts = restarts;
  }

  /** Starts a new stage's clock: its first test. */
  void start(long budgetMillis) {
    startedAtMillis = Workflow.currentTimeMillis();
    pausedMillis = 0;
    this.budgetMillis = budgetMillis;
    restarts = 0;
  }

  /**
   * Starts the stage over on fresh data (a raised weight, a stage whose data could not be trusted):
   * a new sequential test, which spends a new share of the stage's alpha ({@code
   * GatesConfig.perStage(stageCount, restart)}).
   */
  void restart(long budgetMillis) {
    int restartsSoFar = restarts;
    start(budgetMillis);
    restarts = restartsSoFar + 1;
  }

  /** How often the stage started over: 0 during its first test. */
  int restarts() {
    return restarts;
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
