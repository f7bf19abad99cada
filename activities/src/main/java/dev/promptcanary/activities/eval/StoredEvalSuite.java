package dev.promptcanary.activities.eval;

import java.time.Instant;

/** An immutable, numbered version of an eval suite. */
public record StoredEvalSuite(
    String name, int version, String contentHash, EvalSuite definition, String author, Instant createdAt) {}
