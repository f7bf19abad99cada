package dev.promptcanary.activities.registry;

import java.time.Instant;

/** One line of the prompt list: its newest version and what is being served. */
public record PromptSummary(
    String name,
    Instant createdAt,
    int latestVersion,
    int stableVersion,
    Integer canaryVersion,
    int canaryWeightBp,
    String rolloutId) {}
