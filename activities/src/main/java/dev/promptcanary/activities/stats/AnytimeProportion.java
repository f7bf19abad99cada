package dev.promptcanary.activities.stats;

import org.apache.commons.math3.analysis.solvers.BrentSolver;
import org.apache.commons.math3.special.Beta;

/**
 * An always-valid confidence sequence for a binomial proportion: the set of p whose likelihood is
 * within a factor 1/alpha of the Beta(k m, k (1 - m)) mixture's marginal likelihood. The mixture's
 * Bayes factor against any fixed p is a nonnegative martingale under that p, so the true p leaves
 * the set with probability at most alpha over all looks (Lindon and Malek 2022; {@link
 * SampleRatioCheck} and {@link JudgeHealthCheck} use it). The prior mean {@code m} and standard
 * deviation {@code sd} say which proportions the sequence is tuned to separate fastest; any choice
 * keeps it valid.
 */
final class AnytimeProportion {
  /**
   * Bounds of the proportion after {@code hits} of {@code hits + misses}; [0, 1] before any data.
   */
  record Bounds(double lower, double upper) {
    boolean below(double p) {
      return upper < p;
    }

    boolean above(double p) {
      return lower > p;
    }
  }

  private final double a;
  private final double b;
  private final double logThreshold;

  AnytimeProportion(double priorMean, double priorSd, double alpha) {
    if (!(priorMean > 0 && priorMean < 1)) {
      throw new IllegalArgumentException("priorMean must be in (0, 1), got " + priorMean);
    }
    double k = Math.max(1.0, priorMean * (1 - priorMean) / (priorSd * priorSd) - 1);
    this.a = k * priorMean;
    this.b = k * (1 - priorMean);
    this.logThreshold = -Math.log(alpha);
  }

  /** ln of the mixture's marginal likelihood: ln B(a + hits, b + misses) - ln B(a, b). */
  private double logMarginal(long hits, long misses) {
    return Beta.logBeta(a + hits, b + misses) - Beta.logBeta(a, b);
  }

  /** ln of the mixture's Bayes factor against the proportion {@code p}. */
  double logBayesFactor(double p, long hits, long misses) {
    return logMarginal(hits, misses) - logLikelihood(p, hits, misses);
  }

  /**
   * Whether each of {@code ps} is outside the sequence (its Bayes factor reached 1/alpha): cheaper
   * than {@link #bounds}, no root finding.
   */
  boolean excludes(long hits, long misses, double... ps) {
    double cut = logMarginal(hits, misses) - logThreshold;
    for (double p : ps) {
      if (logLikelihood(p, hits, misses) > cut) {
        return false;
      }
    }
    return true;
  }

  Bounds bounds(long hits, long misses) {
    long n = hits + misses;
    if (n == 0) {
      return new Bounds(0, 1);
    }
    double share = (double) hits / n;
    double cut = logMarginal(hits, misses) - logThreshold;
    BrentSolver solver = new BrentSolver(1e-12);
    double lower = 0;
    double upper = 1;
    // ln L is concave with its maximum at the observed share: one root on each side, where ln L
    // falls below cut.
    if (hits > 0
        && logLikelihood(1e-15, hits, misses) < cut
        && logLikelihood(share, hits, misses) > cut) {
      lower = solver.solve(200, p -> logLikelihood(p, hits, misses) - cut, 1e-15, share);
    }
    if (misses > 0
        && logLikelihood(1 - 1e-15, hits, misses) < cut
        && logLikelihood(share, hits, misses) > cut) {
      upper = solver.solve(200, p -> logLikelihood(p, hits, misses) - cut, share, 1 - 1e-15);
    }
    return new Bounds(Math.min(lower, share), Math.max(upper, share));
  }

  private static double logLikelihood(double p, long hits, long misses) {
    return (hits == 0 ? 0 : hits * Math.log(p)) + (misses == 0 ? 0 : misses * Math.log1p(-p));
  }
}
