package dev.promptcanary.activities.stats;

import java.util.Locale;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * Sample size and wall time for a canary comparison, using the same boundary as the gates.
 *
 * <p>With n_c canary and n_b = n_c (1 - w) / w baseline samples the estimate has variance V =
 * sigma^2 (1/n_c + 1/n_b). The engine rolls back once the estimate is past the boundary, so an
 * effect d is caught on average near the n where the radius c(V) equals d, and with probability at
 * least {@code power} by the n where d - c(V) >= z_power sqrt(V).
 */
public final class SamplePlanner {
  private static final NormalDistribution NORMAL = new NormalDistribution(null, 0, 1);
  private static final long MAX_SAMPLES = 1L << 40;

  private SamplePlanner() {}

  public static SamplePlan plan(PlanRequest request) {
    double w = request.canaryWeightBasisPoints() / 10_000.0;
    double tau =
        request.tau() > 0
            ? request.tau()
            : OneSidedNormalMixture.tunedTau(request.alpha(), request.effect());
    double zPower = NORMAL.inverseCumulativeProbability(request.power());
    long expected = smallest(n -> radius(request, tau, w, n) <= request.effect());
    long forPower =
        smallest(
            n ->
                request.effect() - radius(request, tau, w, n)
                    >= zPower * Math.sqrt(variance(request, w, n)));
    double canaryPerHour = request.requestsPerHour() * w;
    double expectedHours = expected / canaryPerHour;
    double hoursForPower = forPower / canaryPerHour;
    long baseline = (long) Math.ceil(forPower * (1 - w) / w);
    String summary =
        String.format(
            Locale.ROOT,
            "at %s%% of %s requests/hour, catching a change of %s (sd %s) needs ~%d canary "
                + "samples (~%s) on average and %d (~%s) for %s%% power",
            plain(100 * w),
            plain(request.requestsPerHour()),
            plain(request.effect()),
            plain(request.sigma()),
            expected,
            hours(expectedHours),
            forPower,
            hours(hoursForPower),
            plain(100 * request.power()));
    return new SamplePlan(expected, forPower, baseline, expectedHours, hoursForPower, summary);
  }

  /**
   * The smallest canary weight (basis points, up to 5000) at which {@link
   * SamplePlan#hoursForPower()} fits in {@code hoursAvailable}; -1 if even an even split is too
   * slow. The rollout uses it to raise the canary weight when the bake window would expire without
   * enough data.
   */
  public static int requiredWeightBasisPoints(PlanRequest request, double hoursAvailable) {
    if (plan(request.withWeight(5_000)).hoursForPower() > hoursAvailable) {
      return -1;
    }
    int lo = 1;
    int hi = 5_000;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (plan(request.withWeight(mid)).hoursForPower() <= hoursAvailable) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /**
   * Canary samples of a classical fixed-horizon two-sample z-test (two-sided {@code alpha}) with
   * the given power; the comparator of the decision-quality benchmark. 336 per arm for effect 0.05,
   * sigma 0.2, alpha 0.05, power 0.9 and an even split.
   */
  public static long fixedHorizonCanarySamples(
      double effect, double sigma, double alpha, double power, int canaryWeightBasisPoints) {
    double w = canaryWeightBasisPoints / 10_000.0;
    double z =
        NORMAL.inverseCumulativeProbability(1 - alpha / 2)
            + NORMAL.inverseCumulativeProbability(power);
    double perCanary = sigma * sigma * (1 + w / (1 - w)); // n_c V
    return (long) Math.ceil(perCanary * z * z / (effect * effect));
  }

  private static double variance(PlanRequest r, double w, long canary) {
    double baseline = canary * (1 - w) / w;
    return r.sigma() * r.sigma() * (1.0 / canary + 1.0 / baseline);
  }

  private static double radius(PlanRequest r, double tau, double w, long canary) {
    return OneSidedNormalMixture.radius(variance(r, w, canary), tau, r.alpha());
  }

  /** Smallest n >= 2 satisfying a condition that, once true, stays true as n grows. */
  private static long smallest(java.util.function.LongPredicate ok) {
    long hi = 2;
    while (!ok.test(hi)) {
      hi *= 2;
      if (hi > MAX_SAMPLES) {
        throw new IllegalArgumentException("needs more than " + MAX_SAMPLES + " samples");
      }
    }
    long lo = Math.max(2, hi / 2);
    while (lo < hi) {
      long mid = (lo + hi) >>> 1;
      if (ok.test(mid)) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  private static String plain(double v) {
    return new java.math.BigDecimal(v)
        .round(new java.math.MathContext(4))
        .stripTrailingZeros()
        .toPlainString();
  }

  private static String hours(double h) {
    return h < 1
        ? String.format(Locale.ROOT, "%.0f min", 60 * h)
        : h < 48
            ? String.format(Locale.ROOT, "%.1f h", h)
            : String.format(Locale.ROOT, "%.1f days", h / 24);
  }
}
