package dev.promptcanary.activities.observability;

import org.slf4j.MDC;

/**
 * The MDC keys every log line about one rollout carries, so a JSON log (or a {@code %X} pattern)
 * can be filtered by rollout, prompt and version. Set around each rollout activity and each API
 * request; cleared after, since worker and Jetty threads are pooled.
 */
public final class LogContext {
  public static final String ROLLOUT_ID = "rolloutId";
  public static final String PROMPT = "prompt";
  public static final String VERSION = "version";

  private LogContext() {}

  /** Puts the non-null values into the MDC; a null leaves that key unset. */
  public static void set(String rolloutId, String prompt, Integer version) {
    if (rolloutId != null) {
      MDC.put(ROLLOUT_ID, rolloutId);
    }
    if (prompt != null) {
      MDC.put(PROMPT, prompt);
    }
    if (version != null) {
      MDC.put(VERSION, Integer.toString(version));
    }
  }

  public static void clear() {
    MDC.remove(ROLLOUT_ID);
    MDC.remove(PROMPT);
    MDC.remove(VERSION);
  }
}
