package dev.promptcanary.sdk;

/** One prompt's routing in the server's snapshot ({@code GET /v1/routing}). */
public record RoutedPrompt(
    String prompt,
    int stableVersion,
    String stableContentHash,
    Integer canaryVersion,
    String canaryContentHash,
    int canaryWeightBp,
    String rolloutId,
    String salt,
    long fenceSeq,
    String updatedAt) {}
