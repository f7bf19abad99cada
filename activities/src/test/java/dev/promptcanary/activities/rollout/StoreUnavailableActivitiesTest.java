package dev.promptcanary.activities.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.promptcanary.activities.eval.NoSuitesEvalRunner;
import dev.promptcanary.activities.store.Store;
import dev.promptcanary.activities.store.StoreErrors;
import dev.promptcanary.workflows.rollout.RolloutActivities;
import dev.promptcanary.workflows.rollout.RolloutMessages;
import dev.promptcanary.workflows.rollout.RoutingCommand;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.net.ServerSocket;
import java.sql.SQLException;
import java.time.Duration;
import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An activity over a PostgreSQL that refuses connections fails as {@link
 * RolloutMessages#STORE_UNAVAILABLE}, the type the rollout rides out for longer; any other store
 * error keeps its own type, so it still holds the rollout after the ordinary retries.
 */
class StoreUnavailableActivitiesTest {
  private final TestActivityEnvironment env = TestActivityEnvironment.newInstance();

  @AfterEach
  void tearDown() {
    env.close();
  }

  @Test
  void aRefusedConnectionFailsTheActivityAsStoreUnavailable() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Jdbi unreachable =
        Store.configure(
            Jdbi.create("jdbc:postgresql://127.0.0.1:" + closedPort + "/promptcanary", "pc", "pc"));
    env.registerActivitiesImplementations(
        new RolloutActivitiesImpl(unreachable, new NoSuitesEvalRunner(), new AlertSender()));
    RolloutActivities activities =
        env.newActivityStub(
            RolloutActivities.class,
            ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(30))
                .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                .build());

    assertThatThrownBy(
            () ->
                activities.setRouting(
                    new RoutingCommand(
                        "rollout-chat-2", "chat", true, false, 1, 1, 2, 500, "test")))
        .isInstanceOf(ActivityFailure.class)
        .cause()
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            failure -> {
              assertThat(failure.getType()).isEqualTo(RolloutMessages.STORE_UNAVAILABLE);
              assertThat(failure.isNonRetryable()).isFalse();
              assertThat(failure.getOriginalMessage()).contains("unavailable");
            });
  }

  @Test
  void anyOtherStoreErrorKeepsItsOwnType() {
    ConnectionException duplicate =
        new ConnectionException(new SQLException("duplicate key value", "23505"));
    assertThatThrownBy(
            () ->
                StoreErrors.classified(
                    () -> {
                      throw duplicate;
                    }))
        .isSameAs(duplicate);
    ConnectionException refused =
        new ConnectionException(new SQLException("Connection to localhost:5432 refused", "08001"));
    assertThatThrownBy(
            () ->
                StoreErrors.classified(
                    () -> {
                      throw refused;
                    }))
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            failure -> assertThat(failure.getType()).isEqualTo(RolloutMessages.STORE_UNAVAILABLE));
  }
}
