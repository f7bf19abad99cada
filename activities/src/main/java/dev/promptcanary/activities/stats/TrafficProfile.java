package dev.promptcanary.activities.stats;

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
 *     independent ({@code 1 + (m - 1) rho}), measured on the baseline's errors; 1 when unknown.
 *     Applied to every gate: scores, latency and cost are usually at least as alike within a
 *     session as errors are
 */
public record TrafficProfile(
    double requestsPerHour,
    double scoreSd,
    double errorRate,
    double safetyRate,
    double costCv,
    double requestsPerUnit,
    double designEffect) {

  public TrafficProfile {
    if (!(requestsPerHour >= 0) || !(scoreSd > 0) || !(costCv > 0)) {
      throw new IllegalArgumentException("need requestsPerHour >= 0, scoreSd > 0, costCv > 0");
    }
    if (!(errorRate >= 0 && errorRate < 1) || !(safetyRate >= 0 && safetyRate < 1)) {
      throw new IllegalArgumentException("rates must be in [0, 1)");
    }
    requestsPerUnit = Math.max(1, requestsPerUnit);
    designEffect = Double.isFinite(designEffect) ? Math.max(1, designEffect) : 1;
  }

  /** Score sd 0.2, 1% errors, 0.1% safety flags, cost CV 0.5, one-request sessions. */
  public static TrafficProfile assumed(double requestsPerHour) {
    return new TrafficProfile(requestsPerHour, 0.2, 0.01, 0.001, 0.5, 1, 1);
  }
}
