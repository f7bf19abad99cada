package dev.promptcanary.activities.routing;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;

/**
 * Places a unit (session or user id) in one of 10,000 buckets, stably: the same prompt, salt and
 * unit give the same bucket on every node and every restart. A unit is in the canary when its
 * bucket is below the canary weight in basis points, so raising the weight only ever adds units to
 * the canary.
 *
 * <p>This function is part of the routing contract: changing it would move users between versions
 * mid-rollout.
 */
public final class Buckets {
  public static final int COUNT = 10_000;

  private Buckets() {}

  /**
   * The per-(prompt, salt) seed of the unit hash; computed once per routing change, not per
   * request.
   */
  public static int seed(String prompt, String salt) {
    return Hashing.murmur3_32_fixed()
        .hashString(prompt + '\u0000' + salt, StandardCharsets.UTF_8)
        .asInt();
  }
}
