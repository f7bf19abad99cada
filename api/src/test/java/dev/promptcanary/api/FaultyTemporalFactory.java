package dev.promptcanary.api;

import dev.promptcanary.worker.TemporalFactory;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.interceptors.WorkflowClientCallsInterceptor;
import io.temporal.common.interceptors.WorkflowClientInterceptorBase;
import io.temporal.serviceclient.WorkflowServiceStubs;

/**
 * A {@link TemporalFactory} for tests whose every client goes through a fault-injecting calls
 * interceptor: installed as the configuration's factory (same target, namespace and task queue as
 * the one it replaces), so every client the app builds has the faults.
 */
abstract class FaultyTemporalFactory extends TemporalFactory {
  FaultyTemporalFactory(TemporalFactory original) {
    setTarget(original.getTarget());
    setNamespace(original.getNamespace());
    setTaskQueue(original.getTaskQueue());
  }

  /** The faults in front of {@code next}; {@code stubs} for a client of its own (another node). */
  abstract WorkflowClientCallsInterceptor faults(
      WorkflowClientCallsInterceptor next, WorkflowServiceStubs stubs);

  @Override
  public final WorkflowClient buildClient(WorkflowServiceStubs stubs) {
    return WorkflowClient.newInstance(
        stubs,
        WorkflowClientOptions.newBuilder()
            .setNamespace(getNamespace())
            .setInterceptors(
                new WorkflowClientInterceptorBase() {
                  @Override
                  public WorkflowClientCallsInterceptor workflowClientCallsInterceptor(
                      WorkflowClientCallsInterceptor next) {
                    return faults(next, stubs);
                  }
                })
            .build());
  }
}
