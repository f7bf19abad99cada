package dev.promptcanary.bench.decision;

import java.util.SplittableRandom;

/** Random variates the simulation needs, on a fast per-run {@link SplittableRandom}. */
final class Samplers {
  private Samplers() {}

  /** Gamma(shape, 1) by Marsaglia and Tsang (2000); shape < 1 via the U^(1/shape) boost. */
  static double gamma(SplittableRandom rng, double shape) {
    if (shape < 1) {
      return gamma(rng, shape + 1) * Math.pow(rng.nextDouble(), 1 / shape);
    }
    double d = shape - 1.0 / 3;
    double c = 1 / Math.sqrt(9 * d);
    while (true) {
      double x = rng.nextGaussian();
      double v = 1 + c * x;
      if (v <= 0) {
        continue;
      }
      v = v * v * v;
      double u = rng.nextDouble();
      if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
        return d * v;
      }
    }
  }

  /** Beta with the given mean and standard deviation (needs sd^2 < mean (1 - mean)). */
  static double beta(SplittableRandom rng, double mean, double sd) {
    double nu = mean * (1 - mean) / (sd * sd) - 1;
    double x = gamma(rng, mean * nu);
    double y = gamma(rng, (1 - mean) * nu);
    return x / (x + y);
  }

  /** Beta with the given mean and concentration nu = alpha + beta. */
  static double betaNu(SplittableRandom rng, double mean, double nu) {
    double x = gamma(rng, mean * nu);
    double y = gamma(rng, (1 - mean) * nu);
    return x / (x + y);
  }

  static double logNormal(SplittableRandom rng, double median, double sigmaLog) {
    return median * Math.exp(sigmaLog * rng.nextGaussian());
  }

  /** A well-mixed 64-bit seed from a base seed, a scenario and a run index. */
  static long seed(long base, String scenario, int run) {
    long z = base ^ (scenario.hashCode() * 0x9E3779B97F4A7C15L) ^ (run * 0xC2B2AE3D27D4EB4FL);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
