package dev.promptcanary.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The options of a command that follows a run until it ends ({@code eval run}, {@code rollout
 * watch}): how often it reads, how long it waits, and whether it redraws.
 */
final class Following {
  @Option(names = "--interval", paramLabel = "S", description = "seconds between reads (default 1)")
  double interval = 1;

  @Option(
      names = "--timeout",
      paramLabel = "S",
      description = "stop waiting after this many seconds (exit 3; the run goes on)")
  Long timeout;

  @Option(names = "--plain", description = "append each view even on a terminal (no ANSI redraw)")
  boolean plain;

  /** An {@link ApiError} naming the option when {@code --interval} or {@code --timeout} is off. */
  void check() throws ApiError {
    if (!(interval >= 0.1 && interval <= 3600)) {
      throw new ApiError(0, "--interval: must be between 0.1 and 3600 seconds", "--interval");
    }
    if (timeout != null && timeout < 1) {
      throw new ApiError(0, "--timeout: must be at least 1 second", "--timeout");
    }
  }

  /** Redraw in place: on a terminal, unless {@code --plain}. */
  boolean redraw() {
    return !plain && System.console() != null;
  }

  Duration every() {
    return Duration.ofMillis(Math.round(interval * 1000));
  }

  /** How long to wait at most; null for as long as it takes. */
  Duration limit() {
    return timeout == null ? null : Duration.ofSeconds(timeout);
  }
}
