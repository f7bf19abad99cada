package dev.promptcanary.sdk;

import java.util.List;

/** One immutable version of a prompt, fetched once and cached for ever. */
public record PromptVersion(
    String prompt,
    int version,
    String contentHash,
    PromptContent content,
    List<String> variables,
    String author,
    String createdAt) {}
