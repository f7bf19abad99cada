package dev.promptcanary.workflows.domain;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.util.Objects;

/**
 * User feedback (-1, 0, 1 per request, where reported); tested quantity: mean(canary) -
 * mean(baseline) of the per-request feedback, lower is worse. Skipped (never holds a promotion)
 * until the stage has feedback from either arm. Its JSON is its settings' fields, flat.
 *
 * @param settings {@code margin}: non-inferiority margin on the -1..1 scale (0.1: e.g. 10 points
 *     more thumbs-down); {@code minimumEffect}: roll back once the upper bound is below {@code
 *     -minimumEffect}; {@code mode} absent: harm detection; {@code minimumPower}: detect a drop of
 *     the margin
 */
public record FeedbackGate(@JsonUnwrapped ComparisonSettings settings) {

  public FeedbackGate {
    settings = Objects.requireNonNull(settings, "settings").checked(2, GateMode.HARM_DETECTION);
  }

  /** Harm detection on a 0.1 margin, any significant drop rolls back. */
  public static FeedbackGate defaults() {
    return of(true, 0.02);
  }

  /** Off: what rollouts started before the feedback gate get. */
  public static FeedbackGate off() {
    return of(false, 0.025);
  }

  private static FeedbackGate of(boolean enabled, double alphaShare) {
    return new FeedbackGate(
        new ComparisonSettings(
            enabled, alphaShare, 0.1, 0.0, 0.0, GateMode.HARM_DETECTION, 0, false));
  }
}
