package dev.promptcanary.activities.stats;

import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.domain.SrmGate;
import java.util.Locale;
import org.apache.commons.math3.analysis.solvers.BrentSolver;
import org.apache.commons.math3.special.Beta;

/**
 * Sample ratio mismatch, checked sequentially so that looking at every new batch does not inflate
 * the false alarm rate (a chi-square test at p < 0.001 repeated a thousand times would).
 *
 * <p>Each request goes to the canary with probability p; the configured weight says p = w. The
 * Bayes factor of a Beta(k w, k (1 - w)) mixture over p against p = w,
 *
 * <pre>
 *   BF = B(k w + n_c, k (1 - w) + n_b) / B(k w, k (1 - w)) / (w^n_c (1 - w)^n_b),
 * </pre>
 *
 * is a nonnegative martingale under the null, so BF >= 1/alpha has probability at most alpha over
 * all looks (the binomial case of Lindon and Malek 2022, "Anytime-valid inference for multinomial
 * count data"). It is exact: no normal approximation, valid from the first request. Inverting the
 * same Bayes factor over p gives always-valid bounds on the canary share: {p : ln L(p) > ln
 * marginal - ln(1/alpha)}.
 *
 * <p>Decisions: SAMPLE_RATIO_MISMATCH once w leaves the bounds; NON_INFERIOR ("split verified")
 * only once the bounds lie within w +/- tol, tol = relativeTolerance * min(w, 1 - w), so a mismatch
 * of at least tol is promoted with probability at most alpha; INCONCLUSIVE in between. The prior
 * concentration k = w (1 - w) / tol^2 - 1 gives the prior a standard deviation of tol, which makes
 * mismatches of about that size the fastest to detect.
 */
final class SampleRatioCheck implements GateCheck {
  private final SrmGate gate;
  private final double logThreshold;

  SampleRatioCheck(SrmGate gate) {
    this.gate = gate;
    this.logThreshold = -Math.log(gate.alpha());
  }

  @Override
  public GateKind kind() {
    return GateKind.SAMPLE_RATIO;
  }

  double tolerance(double w) {
    return gate.relativeTolerance() * Math.min(w, 1 - w);
  }

  private double concentration(double w) {
    double tol = tolerance(w);
    return Math.max(1.0, w * (1 - w) / (tol * tol) - 1);
  }

  /** ln B(a + n_c, b + n_b) - ln B(a, b): the log marginal likelihood of the mixture. */
  private double logMarginal(double w, long nc, long nb) {
    double k = concentration(w);
    double a = k * w;
    double b = k * (1 - w);
    return Beta.logBeta(a + nc, b + nb) - Beta.logBeta(a, b);
  }

  /** ln BF of the mixture against p = w; a mismatch once it reaches ln(1/alpha). */
  double logBayesFactor(double w, long nc, long nb) {
    return logMarginal(w, nc, nb) - logLikelihood(w, nc, nb);
  }

  private static double logLikelihood(double p, long nc, long nb) {
    return (nc == 0 ? 0 : nc * Math.log(p)) + (nb == 0 ? 0 : nb * Math.log1p(-p));
  }

  @Override
  public Decision decide(AnalysisInput input) {
    double w = input.canaryWeightBasisPoints() / 10_000.0;
    long nc = input.canary().observations();
    long nb = input.baseline().observations();
    if (w <= 0 || w >= 1) {
      boolean mismatch = w <= 0 ? nc > 0 : nb > 0;
      return mismatch ? Decision.SAMPLE_RATIO_MISMATCH : Decision.NON_INFERIOR;
    }
    double cut = logMarginal(w, nc, nb) - logThreshold;
    if (logLikelihood(w, nc, nb) <= cut) {
      return Decision.SAMPLE_RATIO_MISMATCH;
    }
    // ln L is concave with its maximum at the observed share, so the bounds lie inside
    // (w - tol, w + tol) exactly when the share does and both ends are already excluded.
    double tol = tolerance(w);
    long n = nc + nb;
    boolean verified =
        n > 0
            && Math.abs((double) nc / n - w) < tol
            && logLikelihood(w - tol, nc, nb) <= cut
            && logLikelihood(w + tol, nc, nb) <= cut;
    return verified ? Decision.NON_INFERIOR : Decision.INCONCLUSIVE;
  }

  @Override
  public GateOutcome evaluate(AnalysisInput input) {
    Decision decision = decide(input);
    double w = input.canaryWeightBasisPoints() / 10_000.0;
    long nc = input.canary().observations();
    long nb = input.baseline().observations();
    long n = nc + nb;
    double share = n == 0 ? w : (double) nc / n;
    double lower = 0;
    double upper = 1;
    if (w > 0 && w < 1 && n > 0) {
      // Each side of the concave ln L has one root of ln L = cut.
      double cut = logMarginal(w, nc, nb) - logThreshold;
      BrentSolver solver = new BrentSolver(1e-12);
      if (nc > 0) {
        lower = solver.solve(200, p -> logLikelihood(p, nc, nb) - cut, 1e-15, share);
      }
      if (nb > 0) {
        upper = solver.solve(200, p -> logLikelihood(p, nc, nb) - cut, share, 1 - 1e-15);
      }
    }
    return new GateOutcome(
        GateKind.SAMPLE_RATIO,
        decision,
        nc,
        nb,
        share,
        Math.min(lower, share),
        Math.max(upper, share),
        w,
        false);
  }

  @Override
  public String reason(GateOutcome o) {
    String shares =
        String.format(
            Locale.ROOT,
            "canary share %.4f [%.4f, %.4f] of %d requests vs configured %.4f +/- %.4f (alpha"
                + " %.3g)",
            o.estimate(),
            o.lower(),
            o.upper(),
            o.canaryN() + o.baselineN(),
            o.threshold(),
            tolerance(o.threshold()),
            gate.alpha());
    return switch (o.decision()) {
      case SAMPLE_RATIO_MISMATCH ->
          "sample ratio mismatch: " + shares + "; fix routing or logging before trusting any gate";
      case NON_INFERIOR -> "sample ratio verified: " + shares;
      default -> "sample ratio not yet verified within tolerance: " + shares;
    };
  }
}
