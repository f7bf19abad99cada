package dev.promptcanary.activities.registry;

import dev.promptcanary.serving.PromptVersion;

/** The answer to "store this content": the version holding it, and whether this call created it. */
public record CreatedVersion(PromptVersion version, boolean created) {}
