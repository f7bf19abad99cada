package dev.promptcanary.activities.stats;

/**
 * What a stage that has run {@code hours} sees of the sessions first exposed in it: their requests
 * per unit so far and the design effect of those partial sessions. A stage of minutes sees a
 * heavy-tailed session only part-way (a 200-request chat has made 3 requests), so its design effect
 * is far below that of the complete sessions a day of data shows; the planner reads the one that
 * belongs to the n it is planning for ({@link TrafficProfile#designEffectAt}).
 *
 * @param hours how long the stage has run
 * @param requestsPerUnit the mean partial length {@code E[L_T]}, >= 1
 * @param designEffect {@code 1 + (E[L_T^2] / E[L_T] - 1) rho}, >= 1
 */
public record StageWindow(double hours, double requestsPerUnit, double designEffect) {

  public StageWindow {
    if (!(hours > 0) || !Double.isFinite(hours)) {
      throw new IllegalArgumentException("a window needs hours > 0, got " + hours);
    }
    requestsPerUnit = Double.isFinite(requestsPerUnit) ? Math.max(1, requestsPerUnit) : 1;
    designEffect = Double.isFinite(designEffect) ? Math.max(1, designEffect) : 1;
  }

  /**
   * The window of the units first exposed in its {@code hours}, from their partial lengths: {@code
   * units} units made {@code requests} requests in it, with {@code requestsSq} the sum of each
   * unit's count squared. With an intra-session correlation {@code rho}, the variance of a
   * per-request mean over those units is {@code sigma^2 / n * (1 + (sum L^2 / sum L - 1) rho)} (the
   * delta method's variance with {@code Var(S_u | L_u) = sigma^2 L_u (1 + (L_u - 1) rho)}). An
   * empty window is one request per unit.
   */
  public static StageWindow fromLengths(
      double hours, double units, double requests, double requestsSq, double rho) {
    if (!(units > 0) || !(requests > 0)) {
      return new StageWindow(hours, 1, 1);
    }
    return new StageWindow(
        hours, requests / units, 1 + (requestsSq / requests - 1) * Math.max(0, rho));
  }

  /**
   * The intra-session correlation behind a design effect measured over complete sessions: {@code
   * rho = (deff - 1) / (E[L^2] / E[L] - 1)}; 0 when every session has one request (it does not
   * matter then) or the design effect is 1, at most 1.
   */
  public static double rho(double designEffect, double requests, double requestsSq) {
    double lengthRatio = requests > 0 ? requestsSq / requests : 1;
    if (!(lengthRatio > 1) || !(designEffect > 1)) {
      return 0;
    }
    return Math.min(1, (designEffect - 1) / (lengthRatio - 1));
  }
}
