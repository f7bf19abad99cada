package dev.promptcanary.bench.decision;

import dev.promptcanary.activities.stats.ArmSummary;
import dev.promptcanary.activities.stats.Moments;
import dev.promptcanary.activities.stats.Proportion;
import java.util.SplittableRandom;

/** Running sufficient statistics of one simulated arm, the same aggregates SQL would return. */
final class Arm {
  final ArmModel model;
  final LatencyHistogram latency = new LatencyHistogram();
  long n;
  double scoreSum;
  double scoreSquares;
  long errors;
  long safetyFlags;
  double costSum;
  double costSquares;

  Arm(ArmModel model) {
    this.model = model;
  }

  void observe(SplittableRandom rng, long step) {
    double score = model.scores().draw(rng, step);
    n++;
    scoreSum += score;
    scoreSquares += score * score;
    if (rng.nextDouble() < model.errorRate()) {
      errors++;
    }
    if (rng.nextDouble() < model.safetyRate()) {
      safetyFlags++;
    }
    latency.add(Samplers.logNormal(rng, model.latencyMedianMs(), model.latencySigmaLog()));
    double cost = Samplers.logNormal(rng, model.costMedian(), model.costSigmaLog());
    costSum += cost;
    costSquares += cost * cost;
  }

  double meanScore() {
    return scoreSum / n;
  }

  double scoreVariance() {
    return n < 2 ? 0 : Math.max(0, (scoreSquares - scoreSum * scoreSum / n) / (n - 1));
  }

  ArmSummary summary() {
    return ArmSummary.iid(
        n,
        new Moments(n, scoreSum, scoreSquares),
        new Proportion(n, errors),
        new Proportion(n, safetyFlags),
        new Moments(n, costSum, costSquares));
  }
}
