package dev.promptcanary.workflows.domain;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.util.Objects;

/**
 * Cost gate (tokens or money per request); tested quantity: mean(canary) / mean(baseline) - 1. Its
 * JSON is its settings' fields, flat.
 *
 * @param settings {@code margin}: relative tolerance, non-inferior once the upper bound is below it
 *     (0.10 = 10% dearer); {@code minimumEffect}: roll back once the lower bound is above it (new
 *     prompts are often longer on purpose, so the default equals the margin rather than 0); {@code
 *     tau} on the relative scale; {@code mode} absent (rollouts started before modes):
 *     non-inferiority; {@code minimumPower}: detect a rise of the margin beyond the minimum effect
 */
public record CostGate(@JsonUnwrapped ComparisonSettings settings) {

  public CostGate {
    settings = Objects.requireNonNull(settings, "settings").checked(100, GateMode.NON_INFERIORITY);
  }

  /** Harm detection: roll back once shown more than 10% dearer; never holds the promotion. */
  public static CostGate defaults() {
    return new CostGate(
        new ComparisonSettings(true, 0.02, 0.10, 0.10, 0.0, GateMode.HARM_DETECTION, 0, false));
  }
}
