package dev.promptcanary.workflows.domain;

/**
 * Quality gate on LLM-as-judge scores rescaled to [0, 1]; tested quantity: mean(canary) -
 * mean(baseline).
 *
 * @param enabled whether the gate takes part in the verdict
 * @param alphaShare this gate's weight in the split of {@link GatesConfig#alpha()} (Bonferroni)
 * @param margin non-inferiority margin: promote once the lower bound clears {@code -margin}
 * @param minimumEffect roll back once the upper bound lies below {@code -minimumEffect}
 * @param tau standard deviation of the normal mixing distribution; {@code 0} tunes it to {@code
 *     margin} (the usual choice, see docs/statistics.md)
 * @param dryRun evaluated, recorded and shown, never deciding: its verdict takes no part in the
 *     overall one (false when absent)
 */
public record QualityGate(
    boolean enabled,
    double alphaShare,
    double margin,
    double minimumEffect,
    double tau,
    boolean dryRun) {

  public QualityGate {
    GateChecks.comparison(alphaShare, margin, minimumEffect, 1, tau);
  }

  /** Margin 0.05 on a [0, 1] judge score, any significant drop rolls back, 90% of alpha. */
  public static QualityGate defaults() {
    return new QualityGate(true, 0.9, 0.05, 0.0, 0.0, false);
  }
}
