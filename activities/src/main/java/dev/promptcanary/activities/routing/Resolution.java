package dev.promptcanary.activities.routing;

import dev.promptcanary.activities.registry.PromptVersion;

/**
 * The version to serve for one unit. {@code pinned} says the caller's pin was honoured; {@code
 * pinDropped} says it was not, because that version is no longer served, and {@code note} says why.
 */
public record Resolution(
    String prompt,
    int version,
    Arm arm,
    int bucket,
    int canaryWeightBp,
    String rolloutId,
    boolean pinned,
    boolean pinDropped,
    String note,
    PromptVersion content) {}
