package dev.promptcanary.workflows.domain;

/**
 * Gate on a binary outcome per request (error, safety flag); tested quantity: rate(canary) -
 * rate(baseline), higher is worse.
 *
 * <p>Fields after {@code tau} were added later: JSON of rollouts started before them lacks them,
 * and they then mean what those rollouts did (non-inferiority on the absolute margin).
 *
 * @param enabled whether the gate takes part in the verdict
 * @param alphaShare this gate's weight in the split of {@link GatesConfig#alpha()}
 * @param margin the absolute margin (a floor when {@code relativeMargin} is set): non-inferiority
 *     means the upper bound of the difference is below {@link #marginAt(double)}
 * @param minimumEffect roll back once the lower bound of the difference is above it
 * @param ceiling absolute ceiling on the canary's own rate: roll back once its lower bound is above
 *     it; in non-inferiority mode promote only once its upper bound is below it; {@code 1} disables
 *     the ceiling
 * @param tau mixing standard deviation on the difference scale; {@code 0} tunes it to the margin
 * @param mode non-inferiority (promotion waits until the margin is ruled out) or harm detection
 *     (roll back on shown harm, promotion not held unless {@code minimumPower} is set); absent:
 *     non-inferiority
 * @param relativeMargin the margin as a share of the baseline's rate (0.5: +50% of it); the margin
 *     used is the larger of this and {@code margin}; 0: absolute only
 * @param minimumPower in harm-detection mode, hold the promotion until the sample would detect a
 *     rise of the margin with this power (e.g. 0.8); 0: off
 * @param dryRun evaluated, recorded and shown, never deciding: its verdict takes no part in the
 *     overall one (false when absent)
 */
public record RateGate(
    boolean enabled,
    double alphaShare,
    double margin,
    double minimumEffect,
    double ceiling,
    double tau,
    GateMode mode,
    double relativeMargin,
    double minimumPower,
    boolean dryRun)
    implements ComparisonGate {

  public RateGate {
    GateChecks.shareAndEffects(alphaShare, margin, minimumEffect, 1);
    if (!(ceiling > 0 && ceiling <= 1)) {
      throw new GateConfigException("ceiling", "must be in (0, 1], got " + ceiling);
    }
    GateChecks.tau(tau, margin);
    mode = GateChecks.mode(mode, GateMode.NON_INFERIORITY);
    GateChecks.effect("relativeMargin", relativeMargin, 100);
    GateChecks.power(minimumPower);
  }

  /** Whether an absolute ceiling on the canary's rate is configured. */
  public boolean hasCeiling() {
    return ceiling < 1;
  }

  /** The margin at a baseline rate: {@code max(margin, relativeMargin * stableRate)}. */
  public double marginAt(double stableRate) {
    return Math.max(margin, relativeMargin * stableRate);
  }

  /** The same gate in another mode, with a minimum power (0 = none). */
  public RateGate withMode(GateMode newMode, double newMinimumPower) {
    return with(newMode, relativeMargin, newMinimumPower);
  }

  /** The same gate with another relative margin (0 = absolute only). */
  public RateGate withRelativeMargin(double newRelativeMargin) {
    return with(mode, newRelativeMargin, minimumPower);
  }

  private RateGate with(GateMode newMode, double newRelativeMargin, double newMinimumPower) {
    return new RateGate(
        enabled,
        alphaShare,
        margin,
        minimumEffect,
        ceiling,
        tau,
        newMode,
        newRelativeMargin,
        newMinimumPower,
        dryRun);
  }

  /**
   * Error rate: harm detection, margin +50% of the baseline's rate with a floor of 0.2 points (at a
   * 1% base: 0.5 points); any significant increase rolls back.
   */
  public static RateGate errorDefaults() {
    return new RateGate(true, 0.02, 0.002, 0.0, 1.0, 0.0, GateMode.HARM_DETECTION, 0.5, 0, false);
  }

  /**
   * Safety flags: harm detection, margin +50% of the baseline's rate with a floor of 0.2 points;
   * any significant increase, or a canary rate significantly above 2%, rolls back.
   */
  public static RateGate safetyDefaults() {
    return new RateGate(true, 0.02, 0.002, 0.0, 0.02, 0.0, GateMode.HARM_DETECTION, 0.5, 0, false);
  }
}
