package dev.promptcanary.activities.routing;

/** What became of a fenced routing write. */
public enum FenceOutcome {
  /** The write changed the row. */
  APPLIED,
  /** The row already holds exactly this write (a retry): nothing changed, and that is success. */
  ALREADY_APPLIED,
  /** A newer write or another owner holds the row: nothing changed. */
  STALE
}
