package dev.promptcanary.activities.store;

import dev.promptcanary.workflows.rollout.RolloutMessages;
import io.temporal.failure.ApplicationFailure;
import java.net.ConnectException;
import java.sql.SQLException;
import java.util.function.Supplier;

/**
 * Tells a store that cannot be reached (PostgreSQL stopped, restarting, failing over, out of
 * connections) from any other store error: the first is an outage to wait out, the second a bug or
 * bad data. The API answers the first 503 with {@code Retry-After}; activities fail with {@link
 * RolloutMessages#STORE_UNAVAILABLE}, which the rollout retries for longer than other failures.
 */
public final class StoreErrors {
  private StoreErrors() {}

  /**
   * SQLSTATE class 08 (connection exception), 57P (the server shutting down or starting: admin,
   * crash or cannot-connect-now), 53 (insufficient resources, e.g. too many connections), or a
   * refused TCP connection anywhere in the causes.
   */
  public static boolean unreachable(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof ConnectException) {
        return true;
      }
      if (cause instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        if (state.startsWith("08") || state.startsWith("57P") || state.startsWith("53")) {
          return true;
        }
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return false;
  }

  /**
   * Runs an activity's store work; an unreachable store fails it as {@link
   * RolloutMessages#STORE_UNAVAILABLE} (retryable, the original as its cause), anything else as it
   * was thrown.
   */
  public static <T> T classified(Supplier<T> work) {
    try {
      return work.get();
    } catch (RuntimeException e) {
      if (e instanceof ApplicationFailure || !unreachable(e)) {
        throw e;
      }
      throw ApplicationFailure.newFailureWithCause(
          "the store (PostgreSQL) is unavailable: " + rootMessage(e),
          RolloutMessages.STORE_UNAVAILABLE,
          e);
    }
  }

  /** {@link #classified(Supplier)} for work without a result. */
  public static void classified(Runnable work) {
    classified(
        () -> {
          work.run();
          return null;
        });
  }

  private static String rootMessage(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage();
  }
}
