package dev.promptcanary.serving;

/**
 * Places a unit (session or user id) in one of 10,000 buckets, stably: the same prompt, salt and
 * unit give the same bucket on every node, every SDK and every restart. A seed per (prompt, salt),
 * then the unit's hash under that seed, unsigned, mod 10,000. A unit is in the canary when its
 * bucket is below the canary weight in basis points, so raising the weight only ever adds units to
 * the canary.
 *
 * <p>This function is part of the routing contract: changing it would move users between versions
 * mid-rollout ({@code sdk-vectors/bucketing.json} pins it).
 */
public final class Buckets {
  public static final int COUNT = 10_000;

  private Buckets() {}

  /**
   * The per-(prompt, salt) seed of the unit hash; computed once per routing change, not per
   * request.
   */
  public static int seed(String prompt, String salt) {
    return Murmur3.hashUtf8(0, prompt + '\u0000' + salt);
  }

  public static int bucket(int seed, String unit) {
    return (int) (Integer.toUnsignedLong(Murmur3.hashUtf8(seed, unit)) % COUNT);
  }

  public static int bucket(String prompt, String salt, String unit) {
    return bucket(seed(prompt, salt), unit);
  }
}
