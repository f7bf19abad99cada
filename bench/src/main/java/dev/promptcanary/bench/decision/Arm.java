package dev.promptcanary.bench.decision;

import dev.promptcanary.activities.stats.ArmSummary;
import dev.promptcanary.activities.stats.LatencyCut;
import dev.promptcanary.activities.stats.Moments;
import dev.promptcanary.activities.stats.Proportion;
import dev.promptcanary.activities.stats.UnitSums;
import java.util.SplittableRandom;

/**
 * Running sufficient statistics of one simulated arm where every request is its own unit (one
 * request per session): the same aggregates SQL would return, and the requests slower than each of
 * the stage's frozen latency cuts.
 */
final class Arm {
  final ArmModel model;
  final double[] cutsMs;
  final long[] above;
  long n;
  double scoreSum;
  double scoreSquares;
  long errors;
  long safetyFlags;
  double costSum;
  double costSquares;

  Arm(ArmModel model, double[] cutsMs) {
    this.model = model;
    this.cutsMs = cutsMs;
    this.above = new long[cutsMs.length];
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
    double latency = model.latency().ms(rng.nextGaussian());
    for (int i = 0; i < cutsMs.length; i++) {
      if (latency > cutsMs[i]) {
        above[i]++;
      }
    }
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

  /** Per-request exceedance of cut {@code i}, each request its own unit. */
  UnitSums above(int i) {
    return UnitSums.iid(new Proportion(n, above[i]));
  }

  static LatencyCut cut(double quantile, double cutMs, Arm canary, Arm stable, int i) {
    return new LatencyCut(quantile, cutMs, canary.above(i), stable.above(i));
  }
}
