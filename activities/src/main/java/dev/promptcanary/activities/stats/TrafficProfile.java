package dev.promptcanary.activities.stats;

import java.util.Comparator;
import java.util.List;

/**
 * What the planner knows about a prompt's traffic, from its recent data or assumed.
 *
 * @param requestsPerHour requests of the prompt (both arms) per hour
 * @param scoreSd judge-score standard deviation per request
 * @param errorRate the baseline's error rate
 * @param safetyRate the baseline's safety-flag rate
 * @param costCv the baseline's cost per request, standard deviation over mean
 * @param requestsPerUnit requests per unit (session) on average, >= 1
 * @param designEffect variance of a per-request rate over units against the same requests
 *     independent ({@code 1 + (m - 1) rho}), measured on the baseline's errors over complete
 *     sessions; 1 when unknown. Applied to every gate: scores, latency and cost are usually at
 *     least as alike within a session as errors are
 * @param windows what a stage sees after a given time of the sessions first exposed in it (their
 *     partial lengths), shortest first; empty when unknown, and then every stage is planned with
 *     {@code requestsPerUnit} and {@code designEffect}
 */
public record TrafficProfile(
    double requestsPerHour,
    double scoreSd,
    double errorRate,
    double safetyRate,
    double costCv,
    double requestsPerUnit,
    double designEffect,
    List<StageWindow> windows) {

  public TrafficProfile {
    if (!(requestsPerHour >= 0) || !(scoreSd > 0) || !(costCv > 0)) {
      throw new IllegalArgumentException("need requestsPerHour >= 0, scoreSd > 0, costCv > 0");
    }
    if (!(errorRate >= 0 && errorRate < 1) || !(safetyRate >= 0 && safetyRate < 1)) {
      throw new IllegalArgumentException("rates must be in [0, 1)");
    }
    requestsPerUnit = Math.max(1, requestsPerUnit);
    designEffect = Double.isFinite(designEffect) ? Math.max(1, designEffect) : 1;
    windows =
        windows == null
            ? List.of()
            : windows.stream().sorted(Comparator.comparingDouble(StageWindow::hours)).toList();
  }

  /** Score sd 0.2, 1% errors, 0.1% safety flags, cost CV 0.5, one-request sessions. */
  public static TrafficProfile assumed(double requestsPerHour) {
    return new TrafficProfile(requestsPerHour, 0.2, 0.01, 0.001, 0.5, 1, 1, List.of());
  }

  /** The same profile with the stage windows measured for it. */
  public TrafficProfile withWindows(List<StageWindow> measured) {
    return new TrafficProfile(
        requestsPerHour,
        scoreSd,
        errorRate,
        safetyRate,
        costCv,
        requestsPerUnit,
        designEffect,
        measured);
  }

  /**
   * How long a stage at canary weight {@code w} takes to collect {@code canarySamples} canary
   * requests of the units first exposed in it. Without windows, {@code n / (requestsPerHour w)}.
   * With them, fewer of the prompt's requests count early on: the hour's requests include those of
   * sessions begun before the stage, while the stage's own sessions have made {@code
   * requestsPerUnitAt(T)} requests each of their {@code requestsPerUnit}, so it has {@code
   * requestsPerHour w T requestsPerUnitAt(T) / requestsPerUnit} by time T, solved here for T.
   * Infinite without traffic.
   */
  public double stageHours(double canarySamples, double w) {
    double perHour = requestsPerHour * w;
    if (!(canarySamples > 0)) {
      return 0;
    }
    if (!(perHour > 0)) {
      return Double.POSITIVE_INFINITY;
    }
    if (windows.isEmpty()) {
      return canarySamples / perHour;
    }
    java.util.function.DoubleUnaryOperator requestsBy =
        h -> perHour * h * requestsPerUnitAt(h) / requestsPerUnit;
    double lo = 0;
    double hi = canarySamples / perHour;
    for (int i = 0; i < 60 && requestsBy.applyAsDouble(hi) < canarySamples; i++) {
      lo = hi;
      hi *= 2;
    }
    for (int i = 0; i < 60; i++) {
      double mid = (lo + hi) / 2;
      if (requestsBy.applyAsDouble(mid) < canarySamples) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return hi;
  }

  /**
   * The design effect of the units first exposed in a stage that has run {@code hours}: linear
   * between the windows, from 1 at the stage's start (every unit has made one request), held at the
   * longest window beyond it; {@link #designEffect} without windows.
   */
  public double designEffectAt(double hours) {
    return at(hours, StageWindow::designEffect, designEffect);
  }

  /** The requests per unit first exposed in a stage that has run {@code hours}; as above. */
  public double requestsPerUnitAt(double hours) {
    return at(hours, StageWindow::requestsPerUnit, requestsPerUnit);
  }

  private double at(
      double hours, java.util.function.ToDoubleFunction<StageWindow> value, double without) {
    if (windows.isEmpty() || Double.isNaN(hours)) {
      return without;
    }
    double h0 = 0;
    double v0 = 1;
    for (StageWindow w : windows) {
      double v1 = value.applyAsDouble(w);
      if (hours <= w.hours()) {
        return v0 + (v1 - v0) * (Math.max(0, hours) - h0) / (w.hours() - h0);
      }
      h0 = w.hours();
      v0 = v1;
    }
    return v0;
  }
}
