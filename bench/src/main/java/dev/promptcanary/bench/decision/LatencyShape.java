package dev.promptcanary.bench.decision;

/**
 * A latency distribution given by its quantile function on the standard normal scale: a request's
 * latency is {@code ms(z)} for a standard normal {@code z}. Within a session, {@code z} mixes a
 * per-session effect and a per-request one, so the marginal distribution stays exactly this shape
 * while latencies of one session are correlated.
 *
 * <p>The baseline is lognormal (median 800 ms, sigma_log 0.5). The regressions change one part of
 * the distribution and leave the rest exactly in place, so each scenario tests one quantile.
 */
interface LatencyShape {
  double Z50 = 0;
  double Z95 = 1.6448536269514722;
  double Z99 = 2.3263478740408408;

  /** Latency in ms at standard normal score {@code z}. */
  double ms(double z);

  /** Lognormal: median * exp(sigma z). */
  static LatencyShape logNormal(double medianMs, double sigmaLog) {
    return z -> medianMs * Math.exp(sigmaLog * z);
  }

  /**
   * The median {@code factor} times slower, p95 and everything above it unchanged: the log latency
   * is raised by ln(factor) below the median, and the rise fades linearly to 0 at p95.
   */
  static LatencyShape medianUp(double medianMs, double sigmaLog, double factor) {
    double lift = Math.log(factor);
    return z -> {
      double w = z <= Z50 ? 1 : z >= Z95 ? 0 : 1 - z / Z95;
      return medianMs * Math.exp(sigmaLog * z + lift * w);
    };
  }

  /**
   * p99 {@code factor} times slower, p95 and everything below unchanged: above p95 the log latency
   * grows faster, reaching ln(factor) more at p99 (and more beyond).
   */
  static LatencyShape tailUp(double medianMs, double sigmaLog, double factor) {
    double slope = Math.log(factor) / (Z99 - Z95);
    return z -> medianMs * Math.exp(sigmaLog * z + (z > Z95 ? slope * (z - Z95) : 0));
  }

  /**
   * Same median, same p95, but narrower around p95: between the median and p95 the log latency
   * follows {@code sigma Z95 (z / Z95)^a} (a < 1), above p95 it grows at {@code a} times the
   * baseline's slope. The density at p95 is 1/a times the baseline's, p99 is lower, and the
   * quantiles between p50 and p95 are higher (p75 +16% at a = 0.6).
   */
  static LatencyShape narrowAtP95(double medianMs, double sigmaLog, double a) {
    return z -> {
      double x;
      if (z <= 0) {
        x = sigmaLog * z;
      } else if (z <= Z95) {
        x = sigmaLog * Z95 * Math.pow(z / Z95, a);
      } else {
        x = sigmaLog * Z95 + a * sigmaLog * (z - Z95);
      }
      return medianMs * Math.exp(x);
    };
  }
}
