package dev.promptcanary.activities.registry;

/** The answer to "store this content": the version holding it, and whether this call created it. */
public record CreatedVersion(PromptVersion version, boolean created) {}
