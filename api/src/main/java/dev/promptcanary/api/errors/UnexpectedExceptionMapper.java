package dev.promptcanary.api.errors;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last resort: a 500 with an id that matches the logged stack trace, never the trace itself.
 */
public class UnexpectedExceptionMapper implements ExceptionMapper<Throwable> {
  private static final Logger LOG = LoggerFactory.getLogger(UnexpectedExceptionMapper.class);

  @Override
  public Response toResponse(Throwable exception) {
    String id = Long.toHexString(ThreadLocalRandom.current().nextLong());
    LOG.error("unexpected error {}", id, exception);
    return ErrorResponses.build(
        ErrorResponse.of(500, "internal error (logged as " + id + ")", null));
  }
}
