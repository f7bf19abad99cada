package dev.promptcanary.workflows.domain;

/**
 * User feedback (-1, 0, 1 per request, where reported); tested quantity: mean(canary) -
 * mean(baseline) of the per-request feedback, lower is worse. Skipped (never holds a promotion)
 * until the stage has feedback from either arm.
 *
 * @param enabled whether the gate takes part in the verdict
 * @param alphaShare this gate's weight in the split of {@link GatesConfig#alpha()}
 * @param margin non-inferiority margin on the -1..1 scale (0.1: e.g. 10 points more thumbs-down)
 * @param minimumEffect roll back once the upper bound is below {@code -minimumEffect}
 * @param tau mixing standard deviation; {@code 0} tunes it to {@code margin}
 * @param mode see {@link GateMode}; absent: harm detection
 * @param minimumPower in harm-detection mode, hold the promotion until the sample would detect a
 *     drop of the margin with this power; 0: off
 * @param dryRun evaluated, recorded and shown, never deciding: its verdict takes no part in the
 *     overall one (false when absent)
 */
public record FeedbackGate(
    boolean enabled,
    double alphaShare,
    double margin,
    double minimumEffect,
    double tau,
    GateMode mode,
    double minimumPower,
    boolean dryRun)
    implements ComparisonGate {

  public FeedbackGate {
    GateChecks.comparison(alphaShare, margin, minimumEffect, 2, tau);
    mode = GateChecks.mode(mode, GateMode.HARM_DETECTION);
    GateChecks.power(minimumPower);
  }

  /** Harm detection on a 0.1 margin, any significant drop rolls back. */
  public static FeedbackGate defaults() {
    return new FeedbackGate(true, 0.02, 0.1, 0.0, 0.0, GateMode.HARM_DETECTION, 0, false);
  }

  /** Off: what rollouts started before the feedback gate get. */
  public static FeedbackGate off() {
    return new FeedbackGate(false, 0.025, 0.1, 0.0, 0.0, GateMode.HARM_DETECTION, 0, false);
  }
}
