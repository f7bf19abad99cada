package dev.promptcanary.workflows.domain;

/**
 * Gate on a binary outcome per request (error, safety flag); tested quantity: rate(canary) -
 * rate(baseline), higher is worse.
 *
 * @param enabled whether the gate takes part in the verdict
 * @param alphaShare this gate's weight in the split of {@link GatesConfig#alpha()}
 * @param margin promote once the upper bound of the difference is below {@code margin}
 * @param minimumEffect roll back once the lower bound of the difference is above {@code
 *     minimumEffect}
 * @param ceiling absolute ceiling on the canary's own rate: roll back once its lower bound is above
 *     it, promote only once its upper bound is below it; {@code 1} disables the ceiling
 * @param tau mixing standard deviation on the difference scale; {@code 0} tunes it to {@code
 *     margin}
 */
public record RateGate(
    boolean enabled,
    double alphaShare,
    double margin,
    double minimumEffect,
    double ceiling,
    double tau) {

  public RateGate {
    GateChecks.share(alphaShare);
    GateChecks.effect("margin", margin, 1);
    GateChecks.effect("minimumEffect", minimumEffect, 1);
    if (!(ceiling > 0 && ceiling <= 1)) {
      throw new IllegalArgumentException("ceiling must be in (0, 1], got " + ceiling);
    }
    GateChecks.tau(tau, margin);
  }

  /** Whether an absolute ceiling on the canary's rate is configured. */
  public boolean hasCeiling() {
    return ceiling < 1;
  }

  /**
   * Error rate: promotion needs the increase bounded below 1 percentage point; any significant
   * increase rolls back.
   */
  public static RateGate errorDefaults() {
    return new RateGate(true, 0.025, 0.01, 0.0, 1.0, 0.0);
  }

  /**
   * Safety flags: promotion needs the increase bounded below 0.5 points and the canary's rate below
   * 2%; any significant increase, or a rate significantly above 2%, rolls back.
   */
  public static RateGate safetyDefaults() {
    return new RateGate(true, 0.025, 0.005, 0.0, 0.02, 0.0);
  }
}
