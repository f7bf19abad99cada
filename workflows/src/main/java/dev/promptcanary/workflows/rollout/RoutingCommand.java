package dev.promptcanary.workflows.rollout;

/**
 * A fenced routing write for a rollout. The first write of a rollout is a claim ({@code claim =
 * true}): it takes the prompt's routing if nobody owns it and starts the rollout's own sequence;
 * every later write carries the next sequence, so a retried or late write can never undo a newer
 * one.
 *
 * @param release hand routing back (no owner) with this write: promotion and rollback
 */
public record RoutingCommand(
    String rolloutId,
    String prompt,
    boolean claim,
    boolean release,
    long sequence,
    int stableVersion,
    Integer canaryVersion,
    int canaryWeightBp,
    String why) {}
