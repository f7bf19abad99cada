package dev.promptcanary.sdk;

/**
 * The server's placement of a unit in one of 10,000 buckets: a seed per (prompt, salt), then the
 * unit's hash under that seed, unsigned, mod 10,000. The very code the server places units with
 * ({@code dev.promptcanary.serving.Buckets}), kept here under the SDK's name for its users.
 */
public final class Buckets {
  public static final int COUNT = dev.promptcanary.serving.Buckets.COUNT;

  private Buckets() {}

  public static int seed(String prompt, String salt) {
    return dev.promptcanary.serving.Buckets.seed(prompt, salt);
  }

  public static int bucket(int seed, String unit) {
    return dev.promptcanary.serving.Buckets.bucket(seed, unit);
  }

  public static int bucket(String prompt, String salt, String unit) {
    return dev.promptcanary.serving.Buckets.bucket(prompt, salt, unit);
  }
}
