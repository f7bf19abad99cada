package dev.promptcanary.activities.stats;

/**
 * What the sample planner needs to know.
 *
 * @param effect the drop (or rise) that must be caught, in the metric's units, e.g. 0.05
 * @param sigma per-observation standard deviation of the metric (a baseline estimate), e.g. 0.2
 * @param alpha the gate's one-sided alpha (its share of the family-wise alpha), e.g. 0.04
 * @param tau mixing scale of the boundary; 0 tunes it to {@code effect} like the gates do
 * @param power wanted chance of catching the effect, e.g. 0.95
 * @param canaryWeightBasisPoints canary share of traffic, 1..9999
 * @param requestsPerHour traffic of the prompt across both arms
 */
public record PlanRequest(
    double effect,
    double sigma,
    double alpha,
    double tau,
    double power,
    int canaryWeightBasisPoints,
    double requestsPerHour) {

  public PlanRequest {
    if (!(effect > 0) || !(sigma > 0)) {
      throw new IllegalArgumentException("effect and sigma must be > 0");
    }
    if (!(alpha > 0 && alpha < 0.5) || !(power > 0.5 && power < 1)) {
      throw new IllegalArgumentException("need alpha in (0, 0.5) and power in (0.5, 1)");
    }
    if (!(tau >= 0)
        || canaryWeightBasisPoints < 1
        || canaryWeightBasisPoints > 9_999
        || !(requestsPerHour > 0)) {
      throw new IllegalArgumentException("need tau >= 0, weight in 1..9999, requestsPerHour > 0");
    }
  }

  PlanRequest withWeight(int basisPoints) {
    return new PlanRequest(effect, sigma, alpha, tau, power, basisPoints, requestsPerHour);
  }
}
