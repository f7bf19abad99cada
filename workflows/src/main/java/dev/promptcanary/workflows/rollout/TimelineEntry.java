package dev.promptcanary.workflows.rollout;

/** One line of a rollout's story, as shown by progress and the read model. */
public record TimelineEntry(long atMillis, String event, String detail) {}
