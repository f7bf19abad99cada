package dev.promptcanary.workflows.domain;

/**
 * Latency gate. Latency is heavy tailed, so it is never tested on the mean: the tested quantity is
 * the share of canary requests slower than the baseline's {@code quantile}, minus the baseline's
 * own share (about {@code 1 - quantile}). A canary whose p95 moved up shows as more than 5% of its
 * requests above the baseline p95, whatever happens to its median or mean.
 *
 * @param enabled whether the gate takes part in the verdict
 * @param alphaShare this gate's weight in the split of {@link GatesConfig#alpha()}
 * @param quantile the baseline quantile used as the cut, e.g. 0.95
 * @param margin promote once the upper bound of the exceedance difference is below it (0.03: at
 *     most 8% of canary requests above the baseline p95)
 * @param minimumEffect roll back once the lower bound of the exceedance difference is above it
 * @param tau mixing standard deviation; {@code 0} tunes it to {@code margin}
 */
public record LatencyGate(
    boolean enabled,
    double alphaShare,
    double quantile,
    double margin,
    double minimumEffect,
    double tau) {

  public LatencyGate {
    GateChecks.share(alphaShare);
    if (!(quantile > 0 && quantile < 1)) {
      throw new IllegalArgumentException("quantile must be in (0, 1), got " + quantile);
    }
    GateChecks.effect("margin", margin, 1);
    GateChecks.effect("minimumEffect", minimumEffect, 1);
    GateChecks.tau(tau, margin);
  }

  public static LatencyGate defaults() {
    return new LatencyGate(true, 0.025, 0.95, 0.03, 0.0, 0.0);
  }
}
