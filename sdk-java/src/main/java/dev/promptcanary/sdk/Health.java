package dev.promptcanary.sdk;

import java.time.Instant;

/**
 * What the client knows and how fresh it is. {@code connected} is false while the push channel is
 * down: resolves are then answered from the last known routing ({@code source} says whether that
 * came from the server or from the snapshot on disk), and {@code lastSync} says since when.
 * Reporting: items waiting, sent (new to the server), duplicates (the server had them already, from
 * a retry), dropped (the buffer was full, or the client closed) and rejected (the server refused
 * them as invalid: 4xx).
 */
public record Health(
    boolean connected,
    Source source,
    String etag,
    int prompts,
    Instant lastSync,
    String lastError,
    int queued,
    long sent,
    long duplicates,
    long dropped,
    long rejected) {

  /** Where the routing being served came from. */
  public enum Source {
    NONE,
    DISK,
    SERVER
  }

  /** Serving, but from routing that may be out of date. */
  public boolean stale() {
    return !connected;
  }
}
