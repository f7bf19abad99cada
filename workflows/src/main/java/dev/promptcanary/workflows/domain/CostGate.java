package dev.promptcanary.workflows.domain;

/**
 * Cost gate (tokens or money per request); tested quantity: mean(canary) / mean(baseline) - 1.
 *
 * @param enabled whether the gate takes part in the verdict
 * @param alphaShare this gate's weight in the split of {@link GatesConfig#alpha()}
 * @param margin relative tolerance: non-inferior once the upper bound is below it (0.10 = 10%
 *     dearer)
 * @param minimumEffect roll back once the lower bound is above it; new prompts are often longer on
 *     purpose, so the default equals the margin rather than 0
 * @param tau mixing standard deviation on the relative scale; {@code 0} tunes it to {@code margin}
 * @param mode see {@link GateMode}; absent (rollouts started before modes): non-inferiority
 * @param minimumPower in harm-detection mode, hold the promotion until the sample would detect a
 *     rise of the margin beyond the minimum effect with this power; 0: off
 * @param dryRun evaluated, recorded and shown, never deciding: its verdict takes no part in the
 *     overall one (false when absent)
 */
public record CostGate(
    boolean enabled,
    double alphaShare,
    double margin,
    double minimumEffect,
    double tau,
    GateMode mode,
    double minimumPower,
    boolean dryRun)
    implements ComparisonGate {

  public CostGate {
    GateChecks.comparison(alphaShare, margin, minimumEffect, 100, tau);
    mode = GateChecks.mode(mode, GateMode.NON_INFERIORITY);
    GateChecks.power(minimumPower);
  }

  /** Harm detection: roll back once shown more than 10% dearer; never holds the promotion. */
  public static CostGate defaults() {
    return new CostGate(true, 0.02, 0.10, 0.10, 0.0, GateMode.HARM_DETECTION, 0, false);
  }
}
