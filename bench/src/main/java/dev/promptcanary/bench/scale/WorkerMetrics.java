package dev.promptcanary.bench.scale;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Temporal SDK's own counters of the worker, read from its Prometheus page on the admin port:
 * each metric summed over its labels, so a window's cost is the difference of two readings (how
 * many workflow tasks ran and how long they took, sticky cache hits and misses, the activities'
 * execution time).
 */
record WorkerMetrics(Map<String, Double> totals) {
  static final String WORKFLOW_TASKS = "temporal_workflow_task_execution_latency_seconds_count";
  static final String WORKFLOW_TASK_FAILURES = "temporal_workflow_task_execution_failed_total";
  static final String WORKFLOW_TASK_SECONDS =
      "temporal_workflow_task_execution_latency_seconds_sum";
  static final String REPLAYS = "temporal_workflow_task_replay_latency_seconds_count";
  static final String REPLAY_SECONDS = "temporal_workflow_task_replay_latency_seconds_sum";
  static final String ACTIVITIES = "temporal_activity_execution_latency_seconds_count";
  static final String ACTIVITY_SECONDS = "temporal_activity_execution_latency_seconds_sum";
  static final String CACHE_HITS = "temporal_sticky_cache_hit_total";
  static final String CACHE_MISSES = "temporal_sticky_cache_miss_total";
  static final String CACHE_EVICTIONS = "temporal_sticky_cache_total_forced_eviction_total";
  static final String CACHE_SIZE = "temporal_sticky_cache_size";
  static final String WORKFLOW_THREADS = "temporal_workflow_active_thread_count";

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** An empty reading: every difference from it is the later reading itself. */
  static WorkerMetrics none() {
    return new WorkerMetrics(Map.of());
  }

  /** The worker's counters now; none when its admin port does not answer in time. */
  static WorkerMetrics read(int adminPort) {
    try {
      HttpResponse<String> reply =
          HTTP.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + adminPort + "/metrics/prometheus"))
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return reply.statusCode() == 200 ? parse(reply.body()) : none();
    } catch (Exception unreachable) {
      return none();
    }
  }

  /** The Prometheus text format, each metric's samples summed over their labels. */
  static WorkerMetrics parse(String text) {
    Map<String, Double> totals = new TreeMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      if (space <= 0) {
        continue;
      }
      String name = line.substring(0, brace > 0 && brace < space ? brace : space).strip();
      try {
        totals.merge(name, Double.parseDouble(line.substring(space + 1).strip()), Double::sum);
      } catch (NumberFormatException notASample) {
        // a line that is not a sample (none in the format, but a page cut short would have one)
      }
    }
    return new WorkerMetrics(totals);
  }

  double get(String name) {
    return totals.getOrDefault(name, Double.NaN);
  }

  /**
   * The counter's increase since {@code earlier}; a counter not on the page is zero (the SDK
   * registers each at its first event: a worker that never missed its cache shows no miss counter).
   */
  double since(WorkerMetrics earlier, String name) {
    return totals.getOrDefault(name, 0.0) - earlier.totals.getOrDefault(name, 0.0);
  }

  /** Mean seconds per event of a latency over the window, from its sum and its count. */
  double meanSince(WorkerMetrics earlier, String sum, String count) {
    double n = since(earlier, count);
    return n > 0 ? since(earlier, sum) / n : Double.NaN;
  }
}
