package dev.promptcanary.serving;

import java.time.Instant;

/**
 * One prompt's routing as SDKs evaluate it locally ({@code GET /v1/routing}): which versions serve
 * (with the content hash each is cached by), the canary's weight in basis points, the salt of the
 * unit hash, and the fence sequence that orders its changes.
 */
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
    Instant updatedAt) {

  /** The split this routing serves. */
  public StickySplit split() {
    return new StickySplit(prompt, salt, stableVersion, canaryVersion, canaryWeightBp);
  }
}
