package dev.promptcanary.workflows.domain;

import java.util.regex.Pattern;

/**
 * A gate on one of the team's own outcome metrics (resolution rate, escalation rate, satisfaction
 * score, conversion), reported per request by name and analysed per unit like every other gate;
 * tested quantity: mean(canary) - mean(baseline) of its values (a proportion's values are 0 or 1).
 *
 * @param name the metric's name as reported: 1 to 100 of {@code a-z 0-9 . _ -}
 * @param kind PROPORTION (values 0 or 1) or MEAN (any real value)
 * @param harmfulDirection which way is worse: INCREASE (escalations) or DECREASE (resolutions)
 * @param margin the absolute margin (a floor when {@code relativeMargin} is set), in the metric's
 *     units
 * @param relativeMargin the margin as a share of the baseline's mean (0.1: 10% of it); the larger
 *     of the two is used; 0: absolute only
 * @param minimumEffect roll back once harm beyond it is shown
 * @param mode see {@link GateMode}; absent: non-inferiority for a PRIMARY metric, harm detection
 *     for a GUARDRAIL; a PRIMARY metric is always non-inferiority, like quality
 * @param role PRIMARY (promotion needs it shown within the margin) or GUARDRAIL; absent: GUARDRAIL
 * @param alphaShare its weight in the split of {@link GatesConfig#alpha()}; 0 or absent: 0.9 for a
 *     PRIMARY metric (like quality), 0.02 for a GUARDRAIL
 * @param minimumPower in harm-detection mode, hold the promotion until the sample would detect harm
 *     of the margin's size with this power; 0: off
 * @param dryRun evaluated, recorded and shown, never deciding: its verdict takes no part in the
 *     overall one (false when absent)
 */
public record MetricGate(
    String name,
    Kind kind,
    Direction harmfulDirection,
    double margin,
    double relativeMargin,
    double minimumEffect,
    GateMode mode,
    Role role,
    double alphaShare,
    double minimumPower,
    boolean dryRun) {

  /** The same rule as prompt names. */
  public static final Pattern NAME = Pattern.compile("[a-z0-9._-]{1,100}");

  /** What the reported values are. */
  public enum Kind {
    /** 0 or 1 per value: a rate. */
    PROPORTION,
    /** Any real value: a mean. */
    MEAN
  }

  /** Which way the metric is worse. */
  public enum Direction {
    INCREASE,
    DECREASE
  }

  /** Whether the metric is what the rollout is for, or a guard against harm. */
  public enum Role {
    PRIMARY,
    GUARDRAIL
  }

  /** A mean metric's values are within +-1e9 at ingest, so no margin is wider than that. */
  static final double MAX_MEAN_MARGIN = 1e9;

  public MetricGate {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new GateConfigException(
          "name", "must be 1 to 100 of a-z 0-9 . _ - (like prompt names), got " + quoted(name));
    }
    if (kind == null) {
      throw new GateConfigException("kind", "must be PROPORTION or MEAN");
    }
    if (harmfulDirection == null) {
      throw new GateConfigException("harmfulDirection", "must be INCREASE or DECREASE");
    }
    if (!(margin >= GateChecks.MIN_EFFECT)
        || margin > (kind == Kind.PROPORTION ? 1 : MAX_MEAN_MARGIN)) {
      throw new GateConfigException(
          "margin",
          "must be in ["
              + GateChecks.MIN_EFFECT
              + ", "
              + (kind == Kind.PROPORTION ? "1" : String.valueOf(MAX_MEAN_MARGIN))
              + "], got "
              + margin);
    }
    GateChecks.effect("relativeMargin", relativeMargin, 100);
    if (!(minimumEffect == 0
        || minimumEffect >= GateChecks.MIN_EFFECT && minimumEffect <= MAX_MEAN_MARGIN)) {
      throw new GateConfigException(
          "minimumEffect",
          "must be 0 or in ["
              + GateChecks.MIN_EFFECT
              + ", "
              + MAX_MEAN_MARGIN
              + "], got "
              + minimumEffect);
    }
    role = role == null ? Role.GUARDRAIL : role;
    if (role == Role.PRIMARY && mode == GateMode.HARM_DETECTION) {
      throw new GateConfigException(
          "mode", "a PRIMARY metric is a non-inferiority gate (like quality); use GUARDRAIL");
    }
    mode =
        GateChecks.mode(
            mode, role == Role.PRIMARY ? GateMode.NON_INFERIORITY : GateMode.HARM_DETECTION);
    alphaShare = alphaShare == 0 ? (role == Role.PRIMARY ? 0.9 : 0.02) : alphaShare;
    GateChecks.share(alphaShare);
    GateChecks.power(minimumPower);
  }

  /** Whether a higher value is worse. */
  public boolean higherIsWorse() {
    return harmfulDirection == Direction.INCREASE;
  }

  /** The margin at a baseline mean: {@code max(margin, relativeMargin * |stableMean|)}. */
  public double marginAt(double stableMean) {
    return Math.max(margin, relativeMargin * Math.abs(stableMean));
  }

  private static String quoted(String s) {
    return s == null ? "nothing" : "'" + s + "'";
  }
}
