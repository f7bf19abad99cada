package dev.promptcanary.serving;

import java.time.Instant;
import java.util.List;

/** An immutable, numbered version of a prompt. Numbers start at 1 per prompt and never repeat. */
public record PromptVersion(
    String prompt,
    int version,
    String contentHash,
    PromptContent content,
    List<String> variables,
    String author,
    Instant createdAt) {}
