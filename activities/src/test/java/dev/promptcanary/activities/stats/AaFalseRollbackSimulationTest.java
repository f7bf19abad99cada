package dev.promptcanary.activities.stats;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GatesConfig;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A small A/A simulation under continuous monitoring: 500 rollouts of identical arms, the engine
 * consulted after every new canary observation, all five gates live. The family-wise false rollback
 * rate must stay within what alpha = 0.05 allows. (The full benchmark, 10,000 runs per scenario, is
 * bench/decision-quality.)
 */
class AaFalseRollbackSimulationTest {
  private static final int RUNS = 500;
  private static final int HORIZON = 600;

  @Test
  void identicalVersionsAreRarelyRolledBack() {
    CanaryAnalysis engine = CanaryAnalysis.of(GatesConfig.defaults());
    int rollbacks = 0;
    int mismatches = 0;
    for (int run = 0; run < RUNS; run++) {
      Decision end = simulate(engine, new SplittableRandom(1_000_003L * run + 17));
      rollbacks += end == Decision.REGRESSION ? 1 : 0;
      mismatches += end == Decision.SAMPLE_RATIO_MISMATCH ? 1 : 0;
    }
    // With a true rate of at most 5%, more than 40 of 500 has probability below 0.2% (binomial,
    // mean 25, sd 4.9); the engine is typically well below 5% because the bounds are conservative.
    assertTrue(rollbacks <= 40, "false rollbacks: " + rollbacks + " of " + RUNS);
    // The sequential SRM check runs at alpha 0.001: more than 5 false alarms in 500 runs has
    // probability below 1e-4 if it holds its level.
    assertTrue(mismatches <= 5, "false sample ratio mismatches: " + mismatches);
  }

  /** Runs one A/A rollout to the first decisive verdict or the horizon. */
  private static Decision simulate(CanaryAnalysis engine, SplittableRandom rng) {
    Sim canary = new Sim();
    Sim stable = new Sim();
    while (canary.n < HORIZON) {
      // Each request goes to either arm with probability 1/2, so the SRM check sees real noise.
      // The engine looks after every canary arrival (every pair of requests on average).
      while (true) {
        if (rng.nextBoolean()) {
          canary.observe(rng);
          break;
        }
        stable.observe(rng);
      }
      if (stable.n < 2) {
        continue;
      }
      AnalysisInput in =
          new AnalysisInput(
              engine.gates(),
              5_000,
              canary.summary(),
              stable.summary(),
              stable.latencyAgainst(canary));
      Decision d = engine.decision(in);
      if (d == Decision.REGRESSION
          || d == Decision.NON_INFERIOR
          || d == Decision.SAMPLE_RATIO_MISMATCH) {
        return d;
      }
    }
    return Decision.INCONCLUSIVE;
  }

  /** One arm's running sums; latency is standard lognormal, tested against a fixed 95% cut. */
  private static final class Sim {
    long n;
    double score;
    double scoreSq;
    long errors;
    long flags;
    double cost;
    double costSq;
    long slow;

    void observe(SplittableRandom rng) {
      double s = Math.min(1, Math.max(0, 0.7 + 0.2 * rng.nextGaussian()));
      double c = Math.exp(0.3 * rng.nextGaussian());
      n++;
      score += s;
      scoreSq += s * s;
      errors += rng.nextDouble() < 0.01 ? 1 : 0;
      flags += rng.nextDouble() < 0.001 ? 1 : 0;
      cost += c;
      costSq += c * c;
      slow += rng.nextGaussian() > 1.6448536 ? 1 : 0;
    }

    ArmSummary summary() {
      return ArmSummary.iid(
          n,
          new Moments(n, score, scoreSq),
          new Proportion(n, errors),
          new Proportion(n, flags),
          new Moments(n, cost, costSq));
    }

    LatencyExceedance latencyAgainst(Sim canary) {
      return new LatencyExceedance(0.95, 1.0, canary.slow, canary.n, slow, n);
    }
  }
}
