package dev.promptcanary.bench.decision;

import java.util.SplittableRandom;

/** How an LLM judge scores one response of an arm, in [0, 1]. */
interface ScoreModel {
  /**
   * @param step how many canary observations have arrived so far (for drifting models)
   */
  double draw(SplittableRandom rng, long step);

  /** Standard deviation of the scores (what a planner would estimate from the baseline). */
  double sd();

  /** Beta-shaped scores with a given mean and sd. */
  static ScoreModel beta(double mean, double sd) {
    return new ScoreModel() {
      @Override
      public double draw(SplittableRandom rng, long step) {
        return Samplers.beta(rng, mean, sd);
      }

      @Override
      public double sd() {
        return sd;
      }
    };
  }

  /** Beta-shaped scores whose mean slides from {@code from} to {@code to} over {@code steps}. */
  static ScoreModel drifting(double from, double to, long steps, double sd) {
    return new ScoreModel() {
      @Override
      public double draw(SplittableRandom rng, long step) {
        double mean = from + (to - from) * Math.min(1.0, (double) step / steps);
        return Samplers.beta(rng, mean, sd);
      }

      @Override
      public double sd() {
        return sd;
      }
    };
  }

  /**
   * A 1-5 Likert judge rescaled to {0, .25, .5, .75, 1}, skewed to the top as LLM judges are: P =
   * .05, .05, .15, .35, .40 (mean 0.75, sd 0.274).
   */
  static ScoreModel likert() {
    double[] cumulative = {0.05, 0.10, 0.25, 0.60, 1.0};
    return new ScoreModel() {
      @Override
      public double draw(SplittableRandom rng, long step) {
        double u = rng.nextDouble();
        for (int i = 0; i < cumulative.length; i++) {
          if (u < cumulative[i]) {
            return i / 4.0;
          }
        }
        return 1.0;
      }

      @Override
      public double sd() {
        return Math.sqrt(0.075);
      }
    };
  }
}
