package dev.promptcanary.serving;

/**
 * The version to serve for one unit: the server's resolve answers it and the SDKs decide it
 * locally, with the same fields. {@code pinned} says the caller's pin was honoured; {@code
 * pinDropped} says it was not, because that version is no longer served, and {@code note} says why.
 */
public record Resolution(
    String prompt,
    int version,
    Arm arm,
    int bucket,
    int canaryWeightBp,
    String rolloutId,
    boolean pinned,
    boolean pinDropped,
    String note,
    PromptVersion content) {

  /**
   * The resolution {@code choice} of a prompt's split makes, serving {@code stable} or {@code
   * canary}.
   */
  public static Resolution of(
      String prompt,
      int canaryWeightBp,
      String rolloutId,
      StickySplit.Choice choice,
      PromptVersion stable,
      PromptVersion canary) {
    PromptVersion served = choice.canary() ? canary : stable;
    return new Resolution(
        prompt,
        served.version(),
        choice.canary() ? Arm.CANARY : Arm.STABLE,
        choice.bucket(),
        canaryWeightBp,
        rolloutId,
        choice.pinned(),
        choice.pinDropped(),
        choice.pinDroppedNote(),
        served);
  }
}
