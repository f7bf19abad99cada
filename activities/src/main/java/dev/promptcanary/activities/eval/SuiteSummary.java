package dev.promptcanary.activities.eval;

import java.time.Instant;

/** One eval suite in a listing: its latest version and when that was created. */
public record SuiteSummary(String name, int latestVersion, int cases, Instant updatedAt) {}
