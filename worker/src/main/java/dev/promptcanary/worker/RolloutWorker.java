package dev.promptcanary.worker;

import io.dropwizard.lifecycle.Managed;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Temporal worker of this process: polls the rollout task queue from start to stop. */
public final class RolloutWorker implements Managed {
  private static final Logger LOG = LoggerFactory.getLogger(RolloutWorker.class);
  private final WorkerFactory factory;
  private final String taskQueue;

  /**
   * {@code registrations} adds the workflow implementations and activity instances this worker
   * runs; {@code tuning} sizes its cache, threads, pollers and task slots.
   */
  public RolloutWorker(
      WorkflowClient client,
      String taskQueue,
      WorkerTuningFactory tuning,
      Consumer<Worker> registrations) {
    this.factory =
        WorkerFactory.newInstance(
            client,
            tuning
                .factoryOptions()
                .setWorkerInterceptors(new RolloutLogContextInterceptor())
                .build());
    this.taskQueue = taskQueue;
    registrations.accept(factory.newWorker(taskQueue, tuning.workerOptions()));
  }

  @Override
  public void start() {
    factory.start();
    LOG.info("worker polling task queue {}", taskQueue);
  }

  @Override
  public void stop() {
    factory.shutdown();
    factory.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
  }
}
