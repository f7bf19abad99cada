package dev.promptcanary.api;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * The lines one logger writes, each with the MDC its thread had when it logged. Logback copies an
 * event's MDC only when something first asks for it; every real appender asks at append time (an
 * {@code OutputStreamAppender} or the async appender Dropwizard wraps them in calls {@code
 * prepareForDeferredProcessing}), logback's {@code ListAppender} never does. A {@code ListAppender}
 * read after the request thus sees the MDC as the request left it (cleared), unless some other
 * appender happened to prepare the event first: a Dropwizard app started by an earlier test in the
 * same JVM does, a test run alone has none. Lines are kept in a concurrent list, since activity
 * threads log while the test thread reads.
 */
public final class CapturedLog extends AppenderBase<ILoggingEvent> implements AutoCloseable {
  private final List<ILoggingEvent> lines = new CopyOnWriteArrayList<>();
  private final Logger logger;

  private CapturedLog(Logger logger) {
    this.logger = logger;
  }

  /** Starts capturing what the logger named by this class writes (and its children). */
  public static CapturedLog of(Class<?> loggerClass) {
    Logger logger = (Logger) LoggerFactory.getLogger(loggerClass);
    CapturedLog log = new CapturedLog(logger);
    log.setContext(logger.getLoggerContext());
    log.start();
    logger.addAppender(log);
    return log;
  }

  @Override
  protected void append(ILoggingEvent line) {
    line.prepareForDeferredProcessing();
    lines.add(line);
  }

  /** Stops capturing: the logger no longer writes here. */
  @Override
  public void close() {
    logger.detachAppender(this);
    stop();
  }

  public List<ILoggingEvent> lines() {
    return List.copyOf(lines);
  }

  /** The MDC of the first line with exactly this message. */
  public Map<String, String> mdcOf(String message) {
    return lines.stream()
        .filter(line -> line.getFormattedMessage().equals(message))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no line \"" + message + "\" in " + lines))
        .getMDCPropertyMap();
  }
}
