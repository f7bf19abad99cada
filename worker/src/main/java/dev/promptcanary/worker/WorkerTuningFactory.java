package dev.promptcanary.worker;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.promptcanary.workflows.rollout.ActivityStubs;
import io.dropwizard.util.Duration;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkerOptions;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/**
 * How much one worker process holds and runs at once ({@code temporal.worker} in the config). The
 * SDK's defaults keep 600 workflows in the sticky cache on 600 workflow threads: with more open
 * rollouts than that, every workflow task of an evicted rollout replays its whole history (up to
 * the 3,000 events of a bake) before it can look (the 1,000-rollout run of docs/benchmarks.md,
 * "many-rollouts", had 1,000 open on them; its misses were not counted then). The defaults here
 * hold 1,000 open rollouts per worker with room to spare, and 16 workflow pollers instead of 5.
 */
public class WorkerTuningFactory {
  /**
   * Open workflows kept in memory between their tasks (about 0.1 MB of heap each, measured): a
   * cached rollout's next task runs only the new events instead of replaying its history.
   */
  @Min(1)
  private int workflowCacheSize = 2000;

  /**
   * Threads for workflow code: a cached rollout parks one (its main method) and more while an
   * update or signal handler runs, so it must exceed the cache or the SDK evicts to free threads.
   */
  @Min(1)
  private int maxWorkflowThreads = 4000;

  /**
   * Concurrent long polls for workflow tasks, half on the sticky queue (the SDK's default: 5). Each
   * poll is a round trip before the next task is picked up: with 5, one worker ran 9 workflow tasks
   * a second at 100 rollouts on a starved machine while its task slots sat free; with 16, 18
   * (docs/benchmarks.md, "many-rollouts").
   */
  @Min(2)
  @Max(100)
  private int workflowTaskPollers = 16;

  /** Concurrent long polls for activity tasks (the SDK's default: 5). */
  @Min(1)
  @Max(100)
  private int activityTaskPollers = 5;

  /** Workflow tasks run at once (the SDK's default: 200). */
  @Min(1)
  private int maxConcurrentWorkflowTasks = 200;

  /**
   * Activities run at once (the SDK's default: 200); each look holds a database connection while it
   * runs, so more than the pool's {@code maxSize} only queues inside the pool.
   */
  @Min(1)
  private int maxConcurrentActivities = 200;

  /**
   * How long a workflow thread may run without yielding before the SDK calls it a deadlock and
   * fails the task (the SDK's default: 1 s). On a CPU-starved machine a healthy thread can go 1 s
   * without being scheduled, and each false alarm fails a workflow task that is then retried,
   * adding to every look's delay; workflow code here never computes for seconds, so 5 s still
   * catches a real deadlock.
   */
  @NotNull private Duration deadlockDetectionTimeout = Duration.seconds(5);

  /** A cache larger than the threads could hold would evict anyway: say so instead. */
  @JsonIgnore
  @AssertTrue(message = "maxWorkflowThreads must be at least workflowCacheSize")
  public boolean isEveryCachedWorkflowGivenAThread() {
    return maxWorkflowThreads >= workflowCacheSize;
  }

  /** The factory-wide part: the sticky cache and the workflow threads. */
  WorkerFactoryOptions.Builder factoryOptions() {
    return WorkerFactoryOptions.newBuilder()
        .setWorkflowCacheSize(workflowCacheSize)
        .setMaxWorkflowThreadCount(maxWorkflowThreads);
  }

  /** The per-worker part: pollers, task slots, the deadlock detector and the heartbeat throttle. */
  WorkerOptions workerOptions() {
    return WorkerOptions.newBuilder()
        .setMaxConcurrentWorkflowTaskPollers(workflowTaskPollers)
        .setMaxConcurrentActivityTaskPollers(activityTaskPollers)
        .setMaxConcurrentWorkflowTaskExecutionSize(maxConcurrentWorkflowTasks)
        .setMaxConcurrentActivityExecutionSize(maxConcurrentActivities)
        .setDefaultDeadlockDetectionTimeout(deadlockDetectionTimeout.toMilliseconds())
        // The eval's heartbeats reach the server as often as the runner sends them, well inside
        // its 10 s heartbeat timeout (the SDK would otherwise hold them back up to 8 s).
        .setMaxHeartbeatThrottleInterval(ActivityStubs.EVAL_HEARTBEAT_EVERY)
        .build();
  }

  @JsonProperty
  public int getWorkflowCacheSize() {
    return workflowCacheSize;
  }

  @JsonProperty
  public void setWorkflowCacheSize(int workflowCacheSize) {
    this.workflowCacheSize = workflowCacheSize;
  }

  @JsonProperty
  public int getMaxWorkflowThreads() {
    return maxWorkflowThreads;
  }

  @JsonProperty
  public void setMaxWorkflowThreads(int maxWorkflowThreads) {
    this.maxWorkflowThreads = maxWorkflowThreads;
  }

  @JsonProperty
  public int getWorkflowTaskPollers() {
    return workflowTaskPollers;
  }

  @JsonProperty
  public void setWorkflowTaskPollers(int workflowTaskPollers) {
    this.workflowTaskPollers = workflowTaskPollers;
  }

  @JsonProperty
  public int getActivityTaskPollers() {
    return activityTaskPollers;
  }

  @JsonProperty
  public void setActivityTaskPollers(int activityTaskPollers) {
    this.activityTaskPollers = activityTaskPollers;
  }

  @JsonProperty
  public int getMaxConcurrentWorkflowTasks() {
    return maxConcurrentWorkflowTasks;
  }

  @JsonProperty
  public void setMaxConcurrentWorkflowTasks(int maxConcurrentWorkflowTasks) {
    this.maxConcurrentWorkflowTasks = maxConcurrentWorkflowTasks;
  }

  @JsonProperty
  public int getMaxConcurrentActivities() {
    return maxConcurrentActivities;
  }

  @JsonProperty
  public void setMaxConcurrentActivities(int maxConcurrentActivities) {
    this.maxConcurrentActivities = maxConcurrentActivities;
  }

  @JsonProperty
  public Duration getDeadlockDetectionTimeout() {
    return deadlockDetectionTimeout;
  }

  @JsonProperty
  public void setDeadlockDetectionTimeout(Duration deadlockDetectionTimeout) {
    this.deadlockDetectionTimeout = deadlockDetectionTimeout;
  }
}
