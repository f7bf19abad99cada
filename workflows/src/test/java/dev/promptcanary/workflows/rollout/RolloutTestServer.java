package dev.promptcanary.workflows.rollout;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the workflow tests stand on: Temporal's test server with time skipping and a worker over one
 * {@link FakeActivities}, fresh for each test ({@link Scenarios#environment}).
 */
abstract class RolloutTestServer {
  TestWorkflowEnvironment env;
  FakeActivities fake;
  WorkflowClient client;

  @BeforeEach
  void setUp() {
    fake = new FakeActivities();
    env = Scenarios.environment(fake);
    client = env.getWorkflowClient();
  }

  /** Runs after the subclasses' {@code @AfterEach} methods. */
  @AfterEach
  void tearDown() {
    env.close();
  }

  /** The result of the rollout {@link Scenarios#ID}, waiting for it to end. */
  RolloutResult result() {
    return WorkflowStub.fromTyped(client.newWorkflowStub(RolloutWorkflow.class, Scenarios.ID))
        .getResult(RolloutResult.class);
  }
}
