package dev.promptcanary.bench.decision;

/**
 * One method's end of one simulated rollout.
 *
 * @param action what it did
 * @param canarySamples canary requests (one-request scenarios: canary samples) when it ended,
 *     summed over the stages
 * @param canaryUnits canary sessions by then (equal to the samples with one request per session)
 * @param stage the stage it ended in (0-based)
 * @param gateMask at a rollback, the gates that regressed ({@link SessionRollout#bit}); 0 if
 *     unknown
 */
record Outcome(Action action, int canarySamples, int canaryUnits, int stage, int gateMask) {
  Outcome(Action action, int canarySamples) {
    this(action, canarySamples, canarySamples, 0, 0);
  }
}
