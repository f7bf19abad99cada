package dev.promptcanary.sdk;

/**
 * The server's placement of a unit in one of 10,000 buckets (its {@code Buckets} and {@code
 * Route}): a seed per (prompt, salt), then the unit's hash under that seed, unsigned, mod 10,000.
 */
public final class Buckets {
  public static final int COUNT = 10_000;

  private Buckets() {}

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
