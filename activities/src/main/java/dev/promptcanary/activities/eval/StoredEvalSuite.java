package dev.promptcanary.activities.eval;

import java.time.Instant;
import org.jdbi.v3.json.Json;

/** An immutable, numbered version of an eval suite. */
public record StoredEvalSuite(
    String name,
    int version,
    String contentHash,
    @Json EvalSuite definition,
    String author,
    Instant createdAt) {}
