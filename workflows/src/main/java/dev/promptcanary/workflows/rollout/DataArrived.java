package dev.promptcanary.workflows.rollout;

/** A nudge from the ingest path: new outcomes for this rollout's prompt were stored; look again. */
public record DataArrived(long atMillis) {}
