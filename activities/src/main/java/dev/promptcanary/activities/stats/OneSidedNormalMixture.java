package dev.promptcanary.activities.stats;

import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * The one-sided normal-mixture boundary behind every comparison gate: an always-valid bound on a
 * difference whose estimate D is approximately N(theta, V), that holds at every look at once.
 *
 * <p>Testing theta = theta0 against the harmful side only, mix the likelihood ratio exp(x th / V -
 * th^2 / 2V), x = D - theta0, over a half-normal prior on th (scale tau, one sign). The mixture is
 * a nonnegative martingale under the null, so by Ville's inequality it exceeds 1/alpha with
 * probability at most alpha, however often it is looked at (Robbins 1970; Howard et al., Ann. Stat.
 * 2021; Johari et al., KDD 2017). In closed form
 *
 * <pre>
 *   Lambda(x) = 2 sqrt(V / (V + tau^2)) exp(z^2 / 2) Phi(z),   z = |x| tau / sqrt(V (V + tau^2)),
 * </pre>
 *
 * so the bound is D +/- s z*, with s = sqrt(V (V + tau^2)) / tau and z* solving
 *
 * <pre>
 *   z^2 / 2 + ln Phi(z) = K,   K = ln(1 / (2 alpha)) + ln((V + tau^2) / V) / 2.
 * </pre>
 *
 * Dropping ln Phi gives the familiar two-sided radius at level 2 alpha; the half-normal prior is
 * what turns "two-sided at alpha" into "one-sided at alpha" and so buys the factor 2 inside the
 * log. We take one fixed-point step from z0 = sqrt(2K), z1 = sqrt(2 (K - ln(1 - t))), with t an
 * upper bound on the normal tail, 1 - Phi(z0) <= 2 phi(z0) / (z0 + sqrt(z0^2 + 8/pi)) (Sampford
 * 1953). Since z0 <= z* and the tail bound only overstates, z1 is never below the exact z* (the
 * bound stays valid); it is above it by less than 2e-4 relative for alpha <= 0.05 and 1e-3 at 0.1.
 * That keeps every look free of special functions, which the simulation benchmark needs.
 */
public final class OneSidedNormalMixture {
  private static final double SQRT_2PI = Math.sqrt(2 * Math.PI);

  private OneSidedNormalMixture() {}

  /**
   * Half-width of the one-sided always-valid bound at variance {@code variance} of the estimate.
   *
   * @param variance variance of the estimate, V (> 0)
   * @param tau mixing scale (> 0), in the units of the estimate
   * @param alpha one-sided error rate in (0, 0.5)
   */
  public static double radius(double variance, double tau, double alpha) {
    if (!(variance > 0) || !(tau > 0) || !(alpha > 0 && alpha < 0.5)) {
      throw new IllegalArgumentException(
          "need variance > 0, tau > 0, alpha in (0, 0.5); got "
              + variance
              + ", "
              + tau
              + ", "
              + alpha);
    }
    double tau2 = tau * tau;
    double shrink = variance / (variance + tau2); // V / (V + tau^2), in (0, 1)
    double k = -Math.log(2 * alpha) - 0.5 * Math.log(shrink);
    double z0 = Math.sqrt(2 * k);
    // phi(z0) = exp(-K) / sqrt(2 pi) = 2 alpha sqrt(shrink) / sqrt(2 pi): no extra exp needed.
    double density = 2 * alpha * Math.sqrt(shrink) / SQRT_2PI;
    double tail = 2 * density / (z0 + Math.sqrt(z0 * z0 + 8 / Math.PI));
    double z1 = tail < 0.5 ? Math.sqrt(2 * (k - Math.log1p(-tail))) : exactZ(k);
    return Math.sqrt(variance * (variance + tau2)) / tau * z1;
  }

  /** The radius with z* solved exactly (bisection on Commons Math's Phi); for tests and docs. */
  static double exactRadius(double variance, double tau, double alpha) {
    double tau2 = tau * tau;
    double k = -Math.log(2 * alpha) + 0.5 * Math.log((variance + tau2) / variance);
    return Math.sqrt(variance * (variance + tau2)) / tau * exactZ(k);
  }

  /**
   * The mixing scale that makes the bound narrowest exactly where it equals {@code effect}, so an
   * effect of that size is detected as early as this family of boundaries allows.
   *
   * <p>With r = tau^2 / V the squared radius is V (1 + 1/r)(A + ln(1 + r)), A = 2 ln(1/(2 alpha))
   * (ignoring the tiny ln Phi term). Its minimum over r is at r = A + ln(1 + r); there the squared
   * radius is V (1 + r), and setting it equal to effect^2 gives tau = effect sqrt(r / (1 + r)).
   */
  public static double tunedTau(double alpha, double effect) {
    if (!(alpha > 0 && alpha < 0.5) || !(effect > 0)) {
      throw new IllegalArgumentException("need alpha in (0, 0.5) and effect > 0");
    }
    double a = -2 * Math.log(2 * alpha);
    double r = a + 1;
    for (int i = 0; i < 60; i++) {
      double next = a + Math.log1p(r);
      if (Math.abs(next - r) < 1e-12) {
        r = next;
        break;
      }
      r = next;
    }
    return effect * Math.sqrt(r / (1 + r));
  }

  /** Solves z^2/2 + ln Phi(z) = k by bisection; in production only reached for alpha near 0.5. */
  private static double exactZ(double k) {
    NormalDistribution normal = new NormalDistribution(null, 0, 1);
    double lo = 0;
    double hi = Math.sqrt(2 * k) + 10;
    for (int i = 0; i < 200; i++) {
      double mid = 0.5 * (lo + hi);
      double value = mid * mid / 2 + Math.log(normal.cumulativeProbability(mid));
      if (value < k) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return hi; // the upper end keeps the bound conservative
  }
}
