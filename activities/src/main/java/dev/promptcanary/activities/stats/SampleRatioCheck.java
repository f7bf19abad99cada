package dev.promptcanary.activities.stats;

import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.domain.SrmGate;
import java.util.Locale;

/**
 * Sample ratio mismatch, checked sequentially so that looking at every new batch does not inflate
 * the false alarm rate (a chi-square test at p < 0.001 repeated a thousand times would).
 *
 * <p>Each unit (a session or user, first exposed in the stage) goes to the canary with probability
 * p; the configured weight says p = w. Requests are not counted: a unit's requests all follow it,
 * so their share varies far more than binomially. The Bayes factor of a Beta(k w, k (1 - w))
 * mixture over p against p = w,
 *
 * <pre>
 *   BF = B(k w + n_c, k (1 - w) + n_b) / B(k w, k (1 - w)) / (w^n_c (1 - w)^n_b),
 * </pre>
 *
 * is a nonnegative martingale under the null, so BF >= 1/alpha has probability at most alpha over
 * all looks (the binomial case of Lindon and Malek 2022, "Anytime-valid inference for multinomial
 * count data"). It is exact: no normal approximation, valid from the first unit. Inverting the same
 * Bayes factor over p gives always-valid bounds on the canary share: {p : ln L(p) > ln marginal -
 * ln(1/alpha)}.
 *
 * <p>Decisions: SAMPLE_RATIO_MISMATCH once w leaves the bounds; NON_INFERIOR ("split verified")
 * only once the bounds lie within w +/- tol, tol = relativeTolerance * min(w, 1 - w), so a mismatch
 * of at least tol is promoted with probability at most alpha; INCONCLUSIVE in between. The prior
 * concentration k = w (1 - w) / tol^2 - 1 gives the prior a standard deviation of tol, which makes
 * mismatches of about that size the fastest to detect.
 */
final class SampleRatioCheck implements GateCheck {
  private final SrmGate gate;

  SampleRatioCheck(SrmGate gate) {
    this.gate = gate;
  }

  @Override
  public GateKind kind() {
    return GateKind.SAMPLE_RATIO;
  }

  double tolerance(double w) {
    return gate.relativeTolerance() * Math.min(w, 1 - w);
  }

  /**
   * The confidence sequence for the canary share at weight {@code w}: the prior concentration k = w
   * (1 - w) / tol^2 - 1 gives the prior a standard deviation of tol.
   */
  private AnytimeProportion sequence(double w) {
    return new AnytimeProportion(w, tolerance(w), gate.alpha());
  }

  /** ln BF of the mixture against p = w; a mismatch once it reaches ln(1/alpha). */
  double logBayesFactor(double w, long nc, long nb) {
    return sequence(w).logBayesFactor(w, nc, nb);
  }

  @Override
  public Decision decide(AnalysisInput input) {
    double w = input.canaryWeightBasisPoints() / 10_000.0;
    long nc = input.canary().units();
    long nb = input.stable().units();
    if (w <= 0 || w >= 1) {
      boolean mismatch = w <= 0 ? nc > 0 : nb > 0;
      return mismatch ? Decision.SAMPLE_RATIO_MISMATCH : Decision.NON_INFERIOR;
    }
    AnytimeProportion sequence = sequence(w);
    if (sequence.excludes(nc, nb, w)) {
      return Decision.SAMPLE_RATIO_MISMATCH;
    }
    // ln L is concave with its maximum at the observed share, so the bounds lie inside
    // (w - tol, w + tol) exactly when the share does and both ends are already excluded.
    double tol = tolerance(w);
    long n = nc + nb;
    boolean verified =
        n > 0 && Math.abs((double) nc / n - w) < tol && sequence.excludes(nc, nb, w - tol, w + tol);
    return verified ? Decision.NON_INFERIOR : Decision.INCONCLUSIVE;
  }

  @Override
  public GateOutcome evaluate(AnalysisInput input) {
    Decision decision = decide(input);
    double w = input.canaryWeightBasisPoints() / 10_000.0;
    long nc = input.canary().units();
    long nb = input.stable().units();
    long n = nc + nb;
    double share = n == 0 ? w : (double) nc / n;
    double lower = 0;
    double upper = 1;
    if (w > 0 && w < 1 && n > 0) {
      AnytimeProportion.Bounds bounds = sequence(w).bounds(nc, nb);
      lower = bounds.lower();
      upper = bounds.upper();
    }
    return new GateOutcome(
        GateKind.SAMPLE_RATIO,
        null,
        decision,
        new GateOutcome.Numbers(
            nc,
            nb,
            share,
            Math.min(lower, share),
            Math.max(upper, share),
            w,
            Double.NaN,
            Double.NaN),
        false,
        decision != Decision.NON_INFERIOR);
  }

  @Override
  public String reason(GateOutcome o) {
    String shares =
        String.format(
            Locale.ROOT,
            "canary share %.4f [%.4f, %.4f] of %d units vs configured %.4f +/- %.4f (alpha"
                + " %.3g)",
            o.numbers().estimate(),
            o.numbers().lower(),
            o.numbers().upper(),
            o.numbers().canaryN() + o.numbers().stableN(),
            o.numbers().threshold(),
            tolerance(o.numbers().threshold()),
            gate.alpha());
    return switch (o.decision()) {
      case SAMPLE_RATIO_MISMATCH ->
          "sample ratio mismatch: " + shares + "; fix routing or logging before trusting any gate";
      case NON_INFERIOR -> "sample ratio verified: " + shares;
      default -> "sample ratio not yet verified within tolerance: " + shares;
    };
  }
}
