package dev.promptcanary.serving;

/**
 * How one prompt's traffic is split between its stable version and its canary, sticky per unit: a
 * unit's bucket (from the prompt and the route's salt) below the canary weight is served the
 * canary. A pin (the version a multi-turn session started on) is honoured while that version is
 * served; otherwise the unit goes where its bucket says and the choice says why the pin was
 * dropped. The server's resolve and the SDK's local resolve both choose here, so they agree on
 * every unit.
 */
public final class StickySplit {
  private final int seed;
  private final int stableVersion;
  private final Integer canaryVersion;
  private final int canaryWeightBp;

  /** The seed is computed here, once per routing change, so a choice is a hash and a comparison. */
  public StickySplit(
      String prompt, String salt, int stableVersion, Integer canaryVersion, int canaryWeightBp) {
    this.seed = Buckets.seed(prompt, salt);
    this.stableVersion = stableVersion;
    this.canaryVersion = canaryVersion;
    this.canaryWeightBp = canaryWeightBp;
  }

  /** What serves {@code unit}: the canary or not, its version, bucket and what became of a pin. */
  public record Choice(
      boolean canary, int version, int bucket, boolean pinned, String pinDroppedNote) {
    public boolean pinDropped() {
      return pinDroppedNote != null;
    }
  }

  public int bucketOf(String unit) {
    return Buckets.bucket(seed, unit);
  }

  /** Whether any traffic goes to {@code version}. */
  public boolean serves(int version) {
    return version == stableVersion || (isCanaryLive() && version == canaryVersion);
  }

  private boolean isCanaryLive() {
    return canaryVersion != null && canaryWeightBp > 0;
  }

  public Choice choose(String unit, Integer pin) {
    int bucket = bucketOf(unit);
    if (pin != null) {
      if (pin == stableVersion) {
        return new Choice(false, stableVersion, bucket, true, null);
      }
      if (isCanaryLive() && pin.equals(canaryVersion)) {
        return new Choice(true, canaryVersion, bucket, true, null);
      }
    }
    boolean inCanary = isCanaryLive() && bucket < canaryWeightBp;
    int served = inCanary ? canaryVersion : stableVersion;
    String note =
        pin == null
            ? null
            : "pinned version "
                + pin
                + " is no longer served (rolled back or replaced); now serving version "
                + served;
    return new Choice(inCanary, served, bucket, false, note);
  }
}
