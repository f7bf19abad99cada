package dev.promptcanary.bench.decision;

import dev.promptcanary.activities.stats.AnalysisInput;
import dev.promptcanary.activities.stats.CanaryAnalysis;
import dev.promptcanary.activities.stats.LatencyCut;
import dev.promptcanary.workflows.domain.Decision;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * One simulated rollout, seen by all three methods at once on the same data: requests arrive one at
 * a time, each goes to the canary with the scenario's actual share, and every method looks after
 * every new canary observation (with an even split, after every observation pair).
 */
final class Rollout {
  /** The seed rule's fixed threshold on the drop in mean judge score. */
  static final double SEED_RULE_DROP = 0.05;

  static final int SEED_RULE_MIN_SAMPLES = 30;

  private Rollout() {}

  /** Outcomes in method order: engine, seed rule, fixed-horizon t-test. */
  static Outcome[] simulate(Scenario s, CanaryAnalysis engine, int plannedN, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[] sample = new double[LatencyCuts.PRE_STAGE_SAMPLE];
    for (int i = 0; i < sample.length; i++) {
      sample[i] = s.stable().latency().ms(rng.nextGaussian());
    }
    double[] cuts = LatencyCuts.of(sample);
    Arm canary = new Arm(s.canary(), cuts);
    Arm stable = new Arm(s.stable(), cuts);
    Outcome engineOutcome = null;
    Outcome seedOutcome = null;
    Outcome tTestOutcome = null;
    while (canary.n < s.horizon()) {
      long step = canary.n;
      while (true) {
        if (rng.nextDouble() < s.actualCanaryShare()) {
          canary.observe(rng, step);
          break;
        }
        stable.observe(rng, step);
      }
      int nc = (int) canary.n;
      if (engineOutcome == null && stable.n > 0) {
        Decision d = engine.decision(input(s, engine, canary, stable));
        engineOutcome =
            switch (d) {
              case REGRESSION -> new Outcome(Action.ROLLBACK, nc);
              case NON_INFERIOR -> new Outcome(Action.PROMOTE, nc);
              case SAMPLE_RATIO_MISMATCH -> new Outcome(Action.BLOCKED, nc);
              default -> null;
            };
      }
      if (seedOutcome == null
          && nc >= SEED_RULE_MIN_SAMPLES
          && stable.n >= SEED_RULE_MIN_SAMPLES
          && stable.meanScore() - canary.meanScore() > SEED_RULE_DROP) {
        seedOutcome = new Outcome(Action.ROLLBACK, nc);
      }
      if (seedOutcome == null && nc >= plannedN) {
        seedOutcome = new Outcome(Action.PROMOTE, nc);
      }
      if (tTestOutcome == null && nc >= plannedN) {
        tTestOutcome =
            new Outcome(welchRollsBack(canary, stable) ? Action.ROLLBACK : Action.PROMOTE, nc);
      }
      if (engineOutcome != null && seedOutcome != null && tTestOutcome != null) {
        break;
      }
    }
    int nc = (int) canary.n;
    return new Outcome[] {
      engineOutcome != null ? engineOutcome : new Outcome(Action.HELD, nc),
      seedOutcome != null ? seedOutcome : new Outcome(Action.PROMOTE, nc),
      tTestOutcome != null ? tTestOutcome : new Outcome(Action.PROMOTE, nc)
    };
  }

  static AnalysisInput input(Scenario s, CanaryAnalysis engine, Arm canary, Arm stable) {
    List<LatencyCut> latency = new ArrayList<>(LatencyCuts.QUANTILES.length);
    for (int i = 0; i < LatencyCuts.QUANTILES.length; i++) {
      latency.add(Arm.cut(LatencyCuts.QUANTILES[i], canary.cutsMs[i], canary, stable, i));
    }
    return new AnalysisInput(
        engine.gates(), s.weightBasisPoints(), canary.summary(), stable.summary(), latency);
  }

  /** Two-sided Welch t-test at 5%, rolling back only when the canary is the worse arm. */
  static boolean welchRollsBack(Arm canary, Arm stable) {
    double vc = canary.scoreVariance() / canary.n;
    double vb = stable.scoreVariance() / stable.n;
    double v = vc + vb;
    double diff = canary.meanScore() - stable.meanScore();
    if (!(v > 0)) {
      return false;
    }
    double df = v * v / (vc * vc / (canary.n - 1) + vb * vb / (stable.n - 1));
    double t = diff / Math.sqrt(v);
    double p = 2 * new TDistribution(null, df).cumulativeProbability(-Math.abs(t));
    return p < 0.05 && diff < 0;
  }
}
