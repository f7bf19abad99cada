package dev.promptcanary.workflows.rollout;

/**
 * The answer to a routing write.
 *
 * @param applied true when routing now holds what was asked (written now, or by an earlier attempt
 *     of the same write)
 * @param sequence the fence sequence routing now carries
 * @param detail why not, when not applied
 */
public record RoutingReceipt(boolean applied, long sequence, String detail) {}
