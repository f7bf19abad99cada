package dev.promptcanary.bench.scale;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Reading the SDK's counters from the worker's Prometheus page: summed over labels, differenced.
 */
class WorkerMetricsTest {
  private static final String EARLIER =
      """
      # HELP temporal_sticky_cache_hit_total
      # TYPE temporal_sticky_cache_hit_total counter
      temporal_sticky_cache_hit_total{namespace="default",task_queue="q",worker_type="WorkflowWorker"} 90.0
      temporal_sticky_cache_miss_total{namespace="default",task_queue="q"} 10.0
      temporal_workflow_task_execution_latency_seconds_count{workflow_type="RolloutWorkflow"} 100.0
      temporal_workflow_task_execution_latency_seconds_sum{workflow_type="RolloutWorkflow"} 2.0
      temporal_workflow_task_execution_latency_seconds_count{workflow_type="EvalRunWorkflow"} 0.0
      """;
  private static final String LATER =
      """
      temporal_sticky_cache_hit_total{namespace="default",task_queue="q",worker_type="WorkflowWorker"} 270.0
      temporal_sticky_cache_miss_total{namespace="default",task_queue="q"} 30.0
      temporal_workflow_task_execution_latency_seconds_count{workflow_type="RolloutWorkflow"} 250.0
      temporal_workflow_task_execution_latency_seconds_sum{workflow_type="RolloutWorkflow"} 5.0
      temporal_workflow_task_execution_latency_seconds_count{workflow_type="EvalRunWorkflow"} 50.0
      temporal_workflow_task_execution_latency_seconds_sum{workflow_type="EvalRunWorkflow"} 4.0
      jvm_threads_live_threads 42.0
      """;

  @Test
  void aWindowIsTheDifferenceOfTwoReadingsSummedOverLabels() {
    WorkerMetrics before = WorkerMetrics.parse(EARLIER);
    WorkerMetrics after = WorkerMetrics.parse(LATER);

    assertThat(after.since(before, WorkerMetrics.CACHE_HITS)).isEqualTo(180.0);
    assertThat(after.since(before, WorkerMetrics.CACHE_MISSES)).isEqualTo(20.0);
    assertThat(after.since(before, WorkerMetrics.WORKFLOW_TASKS)).isEqualTo(200.0);
    // (5 + 4 - 2) s over 200 tasks
    assertThat(
            after.meanSince(
                before, WorkerMetrics.WORKFLOW_TASK_SECONDS, WorkerMetrics.WORKFLOW_TASKS))
        .isEqualTo(0.035);
    assertThat(after.get("jvm_threads_live_threads")).isEqualTo(42.0);
  }

  @Test
  void aCounterNotOnThePageCountsAsZeroAndAMeanOfNothingIsNotANumber() {
    WorkerMetrics after = WorkerMetrics.parse(LATER);

    // no eviction ever: the SDK has not registered the counter
    assertThat(after.since(WorkerMetrics.none(), WorkerMetrics.CACHE_EVICTIONS)).isZero();
    assertThat(
            after.meanSince(
                WorkerMetrics.none(), WorkerMetrics.ACTIVITY_SECONDS, WorkerMetrics.ACTIVITIES))
        .isNaN();
  }
}
