package dev.promptcanary.bench.decision;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * How sessions (the randomisation unit) make requests in the clustered scenarios.
 *
 * <p>Sessions arrive as a Poisson process at {@code requestsPerSecond / mean length}; a session
 * makes its requests {@code gapSeconds} apart on average (exponential gaps), all on the version it
 * was first given. Its length is geometric (mean {@code meanLength}) or heavy-tailed (a discretised
 * lognormal with median {@code meanLength} and sigma_log {@link #HEAVY_SIGMA}, capped at {@link
 * #MAX_LENGTH}: mean about 2.3 times the median, 0.4% of sessions with 100+ requests at median 3).
 * Within a session the judge scores, the error and safety-flag propensities and the latencies share
 * a per-session random effect, with intra-session correlations {@code rhoScore}, {@code rhoError}
 * and {@code rhoLatency}. Judge scores arrive {@code judgeDelayMin..Max} seconds after the request
 * (uniform; 0 for on time).
 */
record Traffic(
    boolean heavyTailed,
    double meanLength,
    double rhoScore,
    double rhoError,
    double rhoLatency,
    double requestsPerSecond,
    double gapSeconds,
    double judgeDelayMinSeconds,
    double judgeDelayMaxSeconds) {

  static final double HEAVY_SIGMA = 1.3;
  static final int MAX_LENGTH = 2_000;

  /** Default request rate: 5 requests per second over both arms (18,000 per hour). */
  static final double RATE = 5;

  /** Default gap between the requests of one session (a chat turn), in seconds. */
  static final double GAP = 20;

  static Traffic geometric(double mean, double rho) {
    return new Traffic(false, mean, rho, rho, rho, RATE, GAP, 0, 0);
  }

  /** Heavy-tailed lengths with median {@code median}. */
  static Traffic heavy(double median, double rho) {
    return new Traffic(true, median, rho, rho, rho, RATE, GAP, 0, 0);
  }

  Traffic withJudgeDelay(double minSeconds, double maxSeconds) {
    return new Traffic(
        heavyTailed,
        meanLength,
        rhoScore,
        rhoError,
        rhoLatency,
        requestsPerSecond,
        gapSeconds,
        minSeconds,
        maxSeconds);
  }

  /** Mean requests per session (for the heavy tail, of the capped lognormal, approximately). */
  double expectedLength() {
    return heavyTailed ? meanLength * Math.exp(HEAVY_SIGMA * HEAVY_SIGMA / 2) : meanLength;
  }

  int drawLength(SplittableRandom rng) {
    if (heavyTailed) {
      double l = Math.round(meanLength * Math.exp(HEAVY_SIGMA * rng.nextGaussian()));
      return (int) Math.max(1, Math.min(MAX_LENGTH, l));
    }
    if (meanLength <= 1) {
      return 1;
    }
    double p = 1 / meanLength;
    double u = 1 - rng.nextDouble(); // (0, 1]
    return 1 + (int) Math.floor(Math.log(u) / Math.log(1 - p));
  }

  double judgeDelay(SplittableRandom rng) {
    if (judgeDelayMaxSeconds <= 0) {
      return 0;
    }
    return judgeDelayMinSeconds + rng.nextDouble() * (judgeDelayMaxSeconds - judgeDelayMinSeconds);
  }

  String describe() {
    if (!heavyTailed) {
      return String.format(
          Locale.ROOT,
          "geometric sessions (mean %s requests), rho %.1f",
          fmt(meanLength),
          rhoScore);
    }
    return String.format(
        Locale.ROOT,
        "heavy-tailed sessions (median %s, mean %.1f requests, 0.4%% with 100+), rho %.1f",
        fmt(meanLength),
        expectedLength(),
        rhoScore);
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
