package dev.promptcanary.workflows.domain;

/**
 * Cost gate (tokens or money per request); tested quantity: mean(canary) / mean(baseline) - 1.
 *
 * @param enabled whether the gate takes part in the verdict
 * @param alphaShare this gate's weight in the split of {@link GatesConfig#alpha()}
 * @param margin relative tolerance: promote once the upper bound is below it (0.10 = 10% dearer)
 * @param minimumEffect roll back once the lower bound is above it; new prompts are often longer on
 *     purpose, so the default equals the margin rather than 0
 * @param tau mixing standard deviation on the relative scale; {@code 0} tunes it to {@code margin}
 */
public record CostGate(
    boolean enabled, double alphaShare, double margin, double minimumEffect, double tau) {

  public CostGate {
    GateChecks.share(alphaShare);
    GateChecks.effect("margin", margin, 100);
    GateChecks.effect("minimumEffect", minimumEffect, 100);
    GateChecks.tau(tau, margin);
  }

  public static CostGate defaults() {
    return new CostGate(true, 0.025, 0.10, 0.10, 0.0);
  }
}
