package dev.promptcanary.workflows.domain;

import com.fasterxml.jackson.annotation.JsonAlias;
import java.util.Objects;

/**
 * The engine's conclusion for one gate (or overall), with the numbers behind it so the decision can
 * be read in the workflow history without re-running anything.
 *
 * @param gate which gate this is about
 * @param decision what was concluded
 * @param canaryN observations in the canary arm that the gate used
 * @param stableN observations in the stable arm that the gate used
 * @param estimate point estimate, in the gate's own units (see {@link GateKind})
 * @param lower always-valid lower bound of the estimated quantity (valid at every look)
 * @param upper always-valid upper bound of the estimated quantity
 * @param threshold the non-inferiority threshold the bound was compared with, in the same units
 * @param reason one line a human can read in the UI, e.g. "quality -0.061 [-0.112, -0.010] is below
 *     0: regression"
 * @param metric which of the gate's verdicts this is, when it has several: a latency quantile
 *     ("p95"), a custom metric's name; null otherwise (and in verdicts recorded before it existed)
 * @param dryRun the verdict of a gate set {@code dryRun}: evaluated and shown, never deciding
 *     (false in verdicts recorded before it existed)
 *     <p>The stable arm's counts were once named baseline…: histories and read-model rows written
 *     before the rename carry the old names, which {@code @JsonAlias} still reads.
 */
public record Verdict(
    GateKind gate,
    Decision decision,
    long canaryN,
    @JsonAlias("baselineN") long stableN,
    double estimate,
    double lower,
    double upper,
    double threshold,
    String reason,
    String metric,
    boolean dryRun) {

  public Verdict {
    Objects.requireNonNull(gate, "gate");
    Objects.requireNonNull(decision, "decision");
    Objects.requireNonNull(reason, "reason");
    if (canaryN < 0 || stableN < 0) {
      throw new IllegalArgumentException("observation counts must be >= 0");
    }
    if (lower > upper) {
      throw new IllegalArgumentException("lower bound " + lower + " exceeds upper bound " + upper);
    }
  }
}
