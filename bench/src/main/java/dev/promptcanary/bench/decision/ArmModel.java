package dev.promptcanary.bench.decision;

/**
 * The data-generating process of one arm of the one-request-per-session scenarios; every request
 * gets a judge score, an error flag, a safety flag, a latency and a cost, drawn independently.
 */
record ArmModel(
    ScoreModel scores,
    double errorRate,
    double safetyRate,
    LatencyShape latency,
    double costMedian,
    double costSigmaLog) {

  /** A typical baseline: 1% errors, 0.1% safety flags, 800 ms median latency, lognormal cost. */
  static ArmModel typical(ScoreModel scores) {
    return new ArmModel(scores, 0.01, 0.001, LatencyShape.logNormal(800, 0.5), 0.002, 0.3);
  }

  ArmModel withErrorRate(double rate) {
    return new ArmModel(scores, rate, safetyRate, latency, costMedian, costSigmaLog);
  }

  ArmModel withLatency(LatencyShape shape) {
    return new ArmModel(scores, errorRate, safetyRate, shape, costMedian, costSigmaLog);
  }
}
