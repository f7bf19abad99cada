package dev.promptcanary.api.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.promptcanary.api.PromptCanaryConfiguration;
import dev.promptcanary.worker.WorkerTuningFactory;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The worker's tuning as the shipped worker.yml gives it ({@code temporal.worker}): defaults that
 * cache 1,000 open rollouts, each knob read from its environment variable, and a cache its threads
 * could not hold refused at start-up, naming the fields.
 */
class WorkerTuningConfigTest {
  private static final Path WORKER_YML =
      DeploymentFiles.ROOT.resolve("deployment/config/worker.yml");

  @Test
  void theShippedDefaultsCacheAThousandRollouts() {
    WorkerTuningFactory tuning =
        DeploymentFiles.load(WORKER_YML, Map.of()).getTemporal().getWorker();

    assertThat(tuning.getWorkflowCacheSize()).isEqualTo(2000);
    assertThat(tuning.getMaxWorkflowThreads()).isEqualTo(4000);
    assertThat(tuning.getWorkflowTaskPollers()).isEqualTo(16);
    assertThat(tuning.getDeadlockDetectionTimeout().toMilliseconds()).isEqualTo(5000);
  }

  @Test
  void eachKnobIsReadFromTheEnvironment() {
    PromptCanaryConfiguration config =
        DeploymentFiles.load(
            WORKER_YML,
            Map.of(
                "PROMPTCANARY_WORKER_WORKFLOW_CACHE_SIZE", "600",
                "PROMPTCANARY_WORKER_MAX_WORKFLOW_THREADS", "600",
                "PROMPTCANARY_WORKER_WORKFLOW_TASK_POLLERS", "8",
                "PROMPTCANARY_WORKER_ACTIVITY_TASK_POLLERS", "4",
                "PROMPTCANARY_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS", "100",
                "PROMPTCANARY_WORKER_MAX_CONCURRENT_ACTIVITIES", "32",
                "PROMPTCANARY_WORKER_DEADLOCK_DETECTION_TIMEOUT", "1s"));
    WorkerTuningFactory tuning = config.getTemporal().getWorker();

    assertThat(tuning.getWorkflowCacheSize()).isEqualTo(600);
    assertThat(tuning.getMaxWorkflowThreads()).isEqualTo(600);
    assertThat(tuning.getWorkflowTaskPollers()).isEqualTo(8);
    assertThat(tuning.getActivityTaskPollers()).isEqualTo(4);
    assertThat(tuning.getMaxConcurrentWorkflowTasks()).isEqualTo(100);
    assertThat(tuning.getMaxConcurrentActivities()).isEqualTo(32);
    assertThat(tuning.getDeadlockDetectionTimeout().toMilliseconds()).isEqualTo(1000);
  }

  @Test
  void aCacheLargerThanItsThreadsDoesNotStart() {
    assertThatThrownBy(
            () ->
                DeploymentFiles.load(
                    WORKER_YML, Map.of("PROMPTCANARY_WORKER_WORKFLOW_CACHE_SIZE", "5000")))
        .hasMessageContaining("temporal.worker")
        .hasMessageContaining("maxWorkflowThreads must be at least workflowCacheSize");
  }
}
