package dev.promptcanary.bench.decision;

import java.util.SplittableRandom;

/**
 * One arm of the clustered scenarios: what each request of a session of this arm looks like.
 *
 * <p>Judge scores: a Beta judge (mean {@code scoreMean}, sd {@code scoreSd}) or a binary pass/fail
 * judge (pass rate {@code scoreMean}). A session draws its own mean from a Beta around the arm's
 * mean holding a share rho of the score variance; its requests are then drawn around that mean, so
 * the marginal mean and sd are the arm's and two scores of one session correlate by rho. Errors and
 * safety flags: the session's propensity is Beta with the arm's mean rate and intra-class
 * correlation rho (beta-binomial). Latency and cost: a normal session effect with a share rho of
 * the variance on the standard normal scale of {@link LatencyShape}. Feedback: 20% of requests
 * carry one, +1 with probability 0.6 times the session's mean score, -1 with 0.6 times its
 * complement, else 0. The session's own outcome metric "resolved" (0/1, pass rate = the session's
 * mean score) is reported once, with its last request.
 */
record SessionArm(
    double scoreMean,
    double scoreSd,
    boolean binaryJudge,
    double errorRate,
    double safetyRate,
    LatencyShape latency,
    double costMedian,
    double costSigmaLog) {

  static final double FEEDBACK_SHARE = 0.2;

  static SessionArm typical(double scoreMean, double scoreSd) {
    return new SessionArm(
        scoreMean, scoreSd, false, 0.01, 0.001, LatencyShape.logNormal(800, 0.5), 0.002, 0.3);
  }

  /** A binary pass/fail judge with pass rate {@code passRate}. */
  static SessionArm binary(double passRate) {
    return new SessionArm(
        passRate,
        Math.sqrt(passRate * (1 - passRate)),
        true,
        0.01,
        0.001,
        LatencyShape.logNormal(800, 0.5),
        0.002,
        0.3);
  }

  SessionArm withScoreMean(double mean) {
    return new SessionArm(
        mean, scoreSd, binaryJudge, errorRate, safetyRate, latency, costMedian, costSigmaLog);
  }

  SessionArm withErrorRate(double rate) {
    return new SessionArm(
        scoreMean, scoreSd, binaryJudge, rate, safetyRate, latency, costMedian, costSigmaLog);
  }

  SessionArm withLatency(LatencyShape shape) {
    return new SessionArm(
        scoreMean, scoreSd, binaryJudge, errorRate, safetyRate, shape, costMedian, costSigmaLog);
  }

  /** The session's own mean score, holding a share {@code rho} of the score variance. */
  double sessionScoreMean(SplittableRandom rng, double rho) {
    if (rho <= 0) {
      return scoreMean;
    }
    double betweenSd = Math.sqrt(rho) * scoreSd;
    return Samplers.beta(rng, scoreMean, betweenSd);
  }

  /**
   * One score of a session whose mean is {@code mu}. For the Beta judge the within-session
   * concentration is chosen so that the marginal variance is scoreSd^2: with the session means
   * Beta(scoreMean, kappa), Var = m(1-m) [kappa / ((kappa + 1)(nu + 1)) + 1 / (kappa + 1)].
   */
  double score(SplittableRandom rng, double mu, double withinNu) {
    if (binaryJudge) {
      return rng.nextDouble() < mu ? 1 : 0;
    }
    return Samplers.betaNu(rng, mu, withinNu);
  }

  /** The within-session Beta concentration nu (see {@link #score}). */
  double withinNu(double rho) {
    double m = scoreMean * (1 - scoreMean);
    double v = scoreSd * scoreSd;
    if (rho <= 0) {
      return m / v - 1;
    }
    double kappa = m / (rho * v) - 1;
    return m * kappa / ((kappa + 1) * (1 - rho) * v) - 1;
  }

  /** The session's propensity for an event of mean rate {@code rate} and ICC {@code rho}. */
  static double sessionRate(SplittableRandom rng, double rate, double rho) {
    if (rho <= 0 || rate <= 0) {
      return rate;
    }
    double kappa = 1 / rho - 1;
    double x = Samplers.gamma(rng, rate * kappa);
    double y = Samplers.gamma(rng, (1 - rate) * kappa);
    return x + y > 0 ? x / (x + y) : rate;
  }
}
