package dev.promptcanary.api.rollouts;

import dev.promptcanary.api.errors.ApiException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** Turns "Temporal cannot be reached" into the API's 503, whatever client exception carried it. */
public final class TemporalErrors {
  /** Seconds a client told 503 waits before it sends the call again ({@code Retry-After}). */
  static final int RETRY_AFTER_SECONDS = 2;

  private TemporalErrors() {}

  public static boolean isUnavailable(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException grpc) {
        Status.Code code = grpc.getStatus().getCode();
        return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
      }
    }
    return false;
  }

  /** The workflow has already closed (or never existed): a signal to it has nobody to reach. */
  public static boolean isFinished(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof io.temporal.client.WorkflowNotFoundException) {
        return true;
      }
      if (t instanceof StatusRuntimeException grpc) {
        return grpc.getStatus().getCode() == Status.Code.NOT_FOUND;
      }
    }
    return false;
  }

  static ApiException unavailable(Throwable error) {
    return ApiException.unavailable(
        "Temporal is unreachable, so rollouts cannot be started or controlled right now (resolve and ingest keep"
            + " working): "
            + rootMessage(error),
        RETRY_AFTER_SECONDS);
  }

  public static String rootMessage(Throwable error) {
    Throwable t = error;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }
}
