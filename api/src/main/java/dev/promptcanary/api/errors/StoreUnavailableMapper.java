package dev.promptcanary.api.errors;

import dev.promptcanary.activities.store.StoreErrors;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A store that cannot be reached (PostgreSQL stopped, restarting, failing over, out of connections)
 * is the client's cue to retry, not a bug: 503 with {@code Retry-After}. Clients retry ingest with
 * the same request ids, which the store takes once. Any other store error stays a 500.
 */
public class StoreUnavailableMapper implements ExceptionMapper<JdbiException> {
  private static final Logger LOG = LoggerFactory.getLogger(StoreUnavailableMapper.class);

  /** Seconds a client should wait before it retries. */
  static final int RETRY_AFTER_SECONDS = 5;

  private final UnexpectedExceptionMapper otherwise = new UnexpectedExceptionMapper();

  @Override
  public Response toResponse(JdbiException exception) {
    if (!unreachable(exception)) {
      return otherwise.toResponse(exception);
    }
    LOG.warn("store unavailable: {}", rootMessage(exception));
    return ErrorResponses.builder(
            ErrorResponse.of(
                503,
                "the store (PostgreSQL) is unavailable; retry in "
                    + RETRY_AFTER_SECONDS
                    + " s with the same request ids",
                null))
        .header("Retry-After", String.valueOf(RETRY_AFTER_SECONDS))
        .build();
  }

  /** {@link StoreErrors#unreachable}: the one definition the activities share. */
  static boolean unreachable(Throwable error) {
    return StoreErrors.unreachable(error);
  }

  private static String rootMessage(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage();
  }
}
