package dev.promptcanary.workflows.rollout;

import dev.promptcanary.workflows.domain.Verdict;

/** Something people should hear about: a rollback, a block, a hold, a promotion. */
public record AlertEvent(
    String rolloutId,
    String prompt,
    int candidateVersion,
    String event,
    RolloutState state,
    String reason,
    Verdict verdict,
    String webhook,
    long atMillis) {}
