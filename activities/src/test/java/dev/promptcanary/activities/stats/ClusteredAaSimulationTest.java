package dev.promptcanary.activities.stats;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GatesConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A/A under continuous monitoring on realistic traffic: sessions of several requests whose scores,
 * errors, safety flags, latency and cost are alike within the session, analysed per session ({@link
 * UnitSums}). 300 rollouts of identical arms at 10% and 50% weight, half with geometric session
 * lengths (mean 5), half heavy-tailed (90% mean 3, 10% mean 30), the engine consulted after every
 * session, default gates. A rollback for any reason (a gate's regression or a sample ratio
 * mismatch) is a false alarm. With per-request (iid) sums instead, the same traffic is rolled back
 * in about a fifth of the runs or more (the variance is short by the design effect 1 + (m - 1)
 * rho), so this test fails if the variance ignores the sessions.
 */
class ClusteredAaSimulationTest {
  private static final int RUNS = 300;
  private static final int HORIZON_SESSIONS = 5_000;

  /**
   * Standard normal quantiles: the frozen cuts of the stage (the baseline's true p50, p95, p99).
   */
  private static final double[] QUANTILES = {0.5, 0.95, 0.99};

  private static final double[] CUTS = {0, 1.6448536, 2.3263479};

  @Test
  void identicalVersionsOnClusteredTrafficAreRarelyRolledBack() {
    CanaryAnalysis engine = CanaryAnalysis.of(GatesConfig.defaults());
    int rollbacks = 0;
    int mismatches = 0;
    int promotions = 0;
    for (int run = 0; run < RUNS; run++) {
      int weightBp = run % 2 == 0 ? 5_000 : 1_000;
      boolean heavyTailed = (run / 2) % 2 == 1;
      Decision end =
          simulate(engine, weightBp, heavyTailed, new SplittableRandom(7_919L * run + 3));
      rollbacks += end == Decision.REGRESSION || end == Decision.SAMPLE_RATIO_MISMATCH ? 1 : 0;
      mismatches += end == Decision.SAMPLE_RATIO_MISMATCH ? 1 : 0;
      promotions += end == Decision.NON_INFERIOR ? 1 : 0;
    }
    System.out.printf(
        "clustered A/A: %d rollbacks (%d SRM), %d promotions of %d runs%n",
        rollbacks, mismatches, promotions, RUNS);
    // Target 5% family-wise: mean 15 of 300, sd 3.8; 5% + 3 sd = 26.3.
    assertTrue(rollbacks <= 26, "false rollbacks: " + rollbacks + " of " + RUNS);
    // SRM on sessions at alpha 0.001: more than 3 of 300 (1%) has probability below 1e-3.
    assertTrue(mismatches <= 3, "false sample ratio mismatches: " + mismatches);
  }

  private static Decision simulate(
      CanaryAnalysis engine, int weightBp, boolean heavyTailed, SplittableRandom rng) {
    Arm canary = new Arm();
    Arm stable = new Arm();
    double w = weightBp / 10_000.0;
    for (int session = 0; session < HORIZON_SESSIONS; session++) {
      Arm arm = rng.nextDouble() < w ? canary : stable;
      arm.session(rng, length(rng, heavyTailed));
      if (canary.sessions < 2 || stable.sessions < 2) {
        continue;
      }
      AnalysisInput in =
          new AnalysisInput(
              engine.gates(), weightBp, canary.summary(), stable.summary(), cuts(canary, stable));
      Decision d = engine.decision(in);
      if (d != Decision.INCONCLUSIVE && d != Decision.INSUFFICIENT_DATA) {
        return d;
      }
    }
    return Decision.INCONCLUSIVE;
  }

  private static int length(SplittableRandom rng, boolean heavyTailed) {
    double mean = heavyTailed ? (rng.nextDouble() < 0.1 ? 30 : 3) : 5;
    // Geometric on 1, 2, ... with the given mean.
    double p = 1 / mean;
    int n = 1 + (int) Math.floor(Math.log(1 - rng.nextDouble()) / Math.log(1 - p));
    return Math.min(n, 500);
  }

  private static List<LatencyCut> cuts(Arm canary, Arm stable) {
    List<LatencyCut> cuts = new ArrayList<>();
    for (int i = 0; i < QUANTILES.length; i++) {
      cuts.add(new LatencyCut(QUANTILES[i], CUTS[i], canary.slow[i], stable.slow[i]));
    }
    return cuts;
  }

  /** One arm's per-session sums. */
  private static final class Arm {
    long sessions;
    long requests;
    UnitSums quality = UnitSums.EMPTY;
    UnitSums errors = UnitSums.EMPTY;
    UnitSums flags = UnitSums.EMPTY;
    UnitSums cost = UnitSums.EMPTY;
    UnitSums feedback = UnitSums.EMPTY;
    final UnitSums[] slow = {UnitSums.EMPTY, UnitSums.EMPTY, UnitSums.EMPTY};

    /**
     * One session of {@code n} requests. Scores: a session effect of sd 0.2 sqrt(0.4) and request
     * noise of sd 0.2 sqrt(0.6) (intra-session correlation 0.4). Errors: 2% of sessions err on 40%
     * of their requests, the rest on 0.2% (mean 1%, correlation about 0.3). Safety flags: 1% of
     * sessions at 5%, the rest at 0.05%. Latency: log-latency with correlation 0.4. Cost: a session
     * factor exp(0.3 z) times exp(0.2 z) per request.
     */
    void session(SplittableRandom rng, int n) {
      double scoreEffect = 0.2 * Math.sqrt(0.4) * rng.nextGaussian();
      double errorRate = rng.nextDouble() < 0.02 ? 0.4 : 0.00204;
      double flagRate = rng.nextDouble() < 0.01 ? 0.05 : 0.000505;
      double latencyEffect = Math.sqrt(0.4) * rng.nextGaussian();
      double costFactor = Math.exp(0.3 * rng.nextGaussian());
      double satisfaction = 0.3 * rng.nextGaussian();
      double scoreSum = 0;
      double errorCount = 0;
      double flagCount = 0;
      double costSum = 0;
      double feedbackCount = 0;
      double feedbackSum = 0;
      double[] slowCount = new double[CUTS.length];
      for (int i = 0; i < n; i++) {
        scoreSum +=
            Math.min(1, Math.max(0, 0.7 + scoreEffect + 0.2 * Math.sqrt(0.6) * rng.nextGaussian()));
        errorCount += rng.nextDouble() < errorRate ? 1 : 0;
        flagCount += rng.nextDouble() < flagRate ? 1 : 0;
        double latency = latencyEffect + Math.sqrt(0.6) * rng.nextGaussian();
        for (int c = 0; c < CUTS.length; c++) {
          slowCount[c] += latency > CUTS[c] ? 1 : 0;
        }
        costSum += costFactor * Math.exp(0.2 * rng.nextGaussian());
        if (rng.nextDouble() < 0.3) {
          double x = satisfaction + 0.5 * rng.nextGaussian();
          feedbackCount++;
          feedbackSum += x > 0.4 ? 1 : x < -0.4 ? -1 : 0;
        }
      }
      sessions++;
      requests += n;
      quality = quality.plusUnit(n, scoreSum);
      errors = errors.plusUnit(n, errorCount);
      flags = flags.plusUnit(n, flagCount);
      cost = cost.plusUnit(n, costSum);
      feedback = feedback.plusUnit(feedbackCount, feedbackSum);
      for (int c = 0; c < CUTS.length; c++) {
        slow[c] = slow[c].plusUnit(n, slowCount[c]);
      }
    }

    ArmSummary summary() {
      return new ArmSummary(
          sessions, requests, quality, errors, flags, cost, feedback, java.util.Map.of());
    }
  }
}
