package dev.promptcanary.activities.ingest;

/**
 * How many items of a batch were new, and how many had been reported before (and were not counted
 * again).
 */
public record IngestResult(int accepted, int duplicates) {}
