package dev.promptcanary.workflows.domain;

/**
 * The settings of a gate that compares the arms' means of a per-request number (cost, feedback):
 * one field list for those gates, unwrapped into each gate's JSON, so each reads and writes the
 * same flat JSON as when it listed the fields itself. The gate's own javadoc says what each setting
 * means for it.
 *
 * @param enabled whether the gate takes part in the verdict
 * @param alphaShare the gate's weight in the split of {@link GatesConfig#alpha()}
 * @param margin the non-inferiority margin, in the gate's units
 * @param minimumEffect roll back once the bound is beyond it in the harmful direction
 * @param tau mixing standard deviation; {@code 0} tunes it to {@code margin}
 * @param mode see {@link GateMode}; null until {@link #checked} gives it the gate's default
 * @param minimumPower in harm-detection mode, hold the promotion until the sample would detect a
 *     harm of the margin with this power; 0: off
 * @param dryRun evaluated, recorded and shown, never deciding (false when absent)
 */
public record ComparisonSettings(
    boolean enabled,
    double alphaShare,
    double margin,
    double minimumEffect,
    double tau,
    GateMode mode,
    double minimumPower,
    boolean dryRun)
    implements ComparisonGate {

  /**
   * These settings checked for a gate whose margin and minimum effect lie in [0, maxEffect], with
   * {@code absentMode} for a mode that is absent (rollouts started before modes).
   */
  ComparisonSettings checked(double maxEffect, GateMode absentMode) {
    GateChecks.comparison(alphaShare, margin, minimumEffect, maxEffect, tau);
    GateChecks.power(minimumPower);
    if (mode != null) {
      return this;
    }
    return new ComparisonSettings(
        enabled, alphaShare, margin, minimumEffect, tau, absentMode, minimumPower, dryRun);
  }
}
