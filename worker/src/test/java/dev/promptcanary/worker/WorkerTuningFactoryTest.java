package dev.promptcanary.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.util.Duration;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkerOptions;
import org.junit.jupiter.api.Test;

/**
 * What the worker's tuning hands the SDK: its cache, threads, pollers, slots and deadlock limit.
 */
class WorkerTuningFactoryTest {

  /** The defaults keep 1,000 open rollouts cached (the SDK's own 600 would evict 400 of them). */
  @Test
  void theDefaultsCacheAThousandRolloutsEachWithAThread() {
    WorkerTuningFactory tuning = new WorkerTuningFactory();

    WorkerFactoryOptions factory = tuning.factoryOptions().build();
    WorkerOptions worker = tuning.workerOptions();

    assertThat(factory.getWorkflowCacheSize()).isGreaterThanOrEqualTo(1000);
    assertThat(factory.getMaxWorkflowThreadCount())
        .isGreaterThanOrEqualTo(factory.getWorkflowCacheSize());
    assertThat(tuning.isEveryCachedWorkflowGivenAThread()).isTrue();
    assertThat(worker.getMaxConcurrentWorkflowTaskPollers()).isEqualTo(16);
    assertThat(worker.getDefaultDeadlockDetectionTimeout()).isEqualTo(5000);
  }

  @Test
  void everySettingReachesTheSdkOptions() {
    WorkerTuningFactory tuning = new WorkerTuningFactory();
    tuning.setWorkflowCacheSize(700);
    tuning.setMaxWorkflowThreads(900);
    tuning.setWorkflowTaskPollers(7);
    tuning.setActivityTaskPollers(3);
    tuning.setMaxConcurrentWorkflowTasks(50);
    tuning.setMaxConcurrentActivities(40);
    tuning.setDeadlockDetectionTimeout(Duration.seconds(2));

    WorkerFactoryOptions factory = tuning.factoryOptions().build();
    WorkerOptions worker = tuning.workerOptions();

    assertThat(factory.getWorkflowCacheSize()).isEqualTo(700);
    assertThat(factory.getMaxWorkflowThreadCount()).isEqualTo(900);
    assertThat(worker.getMaxConcurrentWorkflowTaskPollers()).isEqualTo(7);
    assertThat(worker.getMaxConcurrentActivityTaskPollers()).isEqualTo(3);
    assertThat(worker.getMaxConcurrentWorkflowTaskExecutionSize()).isEqualTo(50);
    assertThat(worker.getMaxConcurrentActivityExecutionSize()).isEqualTo(40);
    assertThat(worker.getDefaultDeadlockDetectionTimeout()).isEqualTo(2000);
  }

  @Test
  void aCacheLargerThanItsThreadsIsRefused() {
    WorkerTuningFactory tuning = new WorkerTuningFactory();
    tuning.setWorkflowCacheSize(3000);
    tuning.setMaxWorkflowThreads(2000);

    assertThat(tuning.isEveryCachedWorkflowGivenAThread()).isFalse();
  }
}
