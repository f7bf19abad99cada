package dev.promptcanary.bench.decision;

import dev.promptcanary.activities.stats.AnalysisInput;
import dev.promptcanary.activities.stats.ArmSummary;
import dev.promptcanary.activities.stats.CanaryAnalysis;
import dev.promptcanary.activities.stats.JudgeHealthCheck;
import dev.promptcanary.activities.stats.JudgeSample;
import dev.promptcanary.activities.stats.LatencyCut;
import dev.promptcanary.activities.stats.UnitSums;
import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.domain.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One simulated rollout on clustered traffic, in simulated time. Sessions arrive at a rate, are
 * assigned to an arm at their first request (with the stage's weight) and keep it for all their
 * requests, across stage changes. Every request's outcomes go into per-unit sums of its stage and
 * arm, maintained incrementally: when a request (or a late judge score) of unit u arrives, u's old
 * contribution (N_u, S_u) is taken out of the arm's sums and the new one put in, so the engine sees
 * exactly what the per-unit SQL of the data path returns. Units are counted per arm at first
 * exposure (the sample ratio check). Latency is counted per unit against the stage's cuts, frozen
 * at the stage start from a pre-stage sample of baseline latencies. Judge scores may arrive minutes
 * late; they count for the stage and arm of the request they score. A stage analyses only the units
 * first exposed in it: requests of earlier stages' sessions are left out. The engine looks every
 * {@link #LOOK_SECONDS}.
 *
 * <p>The workflow's actions: SAMPLE_RATIO_MISMATCH ends the run as SRM (held or rolled back for
 * SRM); REGRESSION rolls back; NON_INFERIOR passes the stage (the last one promotes); an unhealthy
 * judge holds, unless SRM or a regression of a gate the judge has no part in.
 */
final class SessionRollout {
  static final double LOOK_SECONDS = 10;

  /** Bits of {@link GateKind} ordinals: the gates that regressed at a rollback. */
  static int bit(GateKind kind) {
    return 1 << kind.ordinal();
  }

  private SessionRollout() {}

  /** One session of the simulation. */
  static final class Unit {
    final boolean canary;
    final int stage;
    int remaining;
    final double mu;
    final double errorRate;
    final double safetyRate;
    final double latencyEffect;
    final double costEffect;
    int requests;
    int errors;
    int flags;
    double cost;
    int scores;
    double scoreSum;
    int feedbacks;
    double feedbackSum;
    final int[] above = new int[LatencyCuts.QUANTILES.length];

    Unit(
        boolean canary,
        int stage,
        int length,
        double mu,
        double errorRate,
        double safetyRate,
        double latencyEffect,
        double costEffect) {
      this.canary = canary;
      this.stage = stage;
      this.remaining = length;
      this.mu = mu;
      this.errorRate = errorRate;
      this.safetyRate = safetyRate;
      this.latencyEffect = latencyEffect;
      this.costEffect = costEffect;
    }
  }

  /** Running per-unit sums of one metric of one arm: the contract's {@link UnitSums}. */
  static final class Acc {
    long units;
    double n;
    double s;
    double nn;
    double ss;
    double ns;

    /** Replaces a unit's contribution (oldN, oldS) by (newN, newS). */
    void move(double oldN, double oldS, double newN, double newS) {
      if (oldN == 0 && newN > 0) {
        units++;
      }
      n += newN - oldN;
      s += newS - oldS;
      nn += newN * newN - oldN * oldN;
      ss += newS * newS - oldS * oldS;
      ns += newN * newS - oldN * oldS;
    }

    UnitSums sums() {
      return units == 0 ? UnitSums.EMPTY : new UnitSums(units, n, s, nn, Math.max(0, ss), ns);
    }
  }

  /** One arm of the current stage. */
  static final class ArmAcc {
    long units;
    long observations;
    final Acc quality = new Acc();
    final Acc errors = new Acc();
    final Acc safety = new Acc();
    final Acc cost = new Acc();
    final Acc feedback = new Acc();
    final Acc resolved = new Acc();
    final Acc[] latency = new Acc[LatencyCuts.QUANTILES.length];

    ArmAcc() {
      for (int i = 0; i < latency.length; i++) {
        latency[i] = new Acc();
      }
    }

    ArmSummary summary() {
      return new ArmSummary(
          units,
          observations,
          quality.sums(),
          errors.sums(),
          safety.sums(),
          cost.sums(),
          feedback.sums(),
          resolved.units == 0 ? Map.of() : Map.of("resolved", resolved.sums()));
    }
  }

  private static final class Run {
    final ClusterScenario s;
    final CanaryAnalysis engine;
    final JudgeHealthCheck health;
    final SplittableRandom rng;
    final Traffic traffic;
    final double canaryNu;
    final double stableNu;
    final double sqrtRhoL;
    final double sqrtOneMinusRhoL;
    final EventHeap heap = new EventHeap();
    int stage;
    double[] cuts;
    ArmAcc canary;
    ArmAcc stable;
    long stageCanaryRequests;
    long totalCanaryRequests;
    long totalCanaryUnits;

    Run(ClusterScenario s, CanaryAnalysis engine, JudgeHealthCheck health, long seed) {
      this.s = s;
      this.engine = engine;
      this.health = health;
      this.rng = new SplittableRandom(seed);
      this.traffic = s.traffic();
      this.canaryNu = s.canary().withinNu(traffic.rhoScore());
      this.stableNu = s.stable().withinNu(traffic.rhoScore());
      this.sqrtRhoL = Math.sqrt(traffic.rhoLatency());
      this.sqrtOneMinusRhoL = Math.sqrt(1 - traffic.rhoLatency());
    }

    void startStage(int index) {
      stage = index;
      canary = new ArmAcc();
      stable = new ArmAcc();
      stageCanaryRequests = 0;
      cuts = preStageCuts();
    }

    /** The stage's latency cuts from {@link LatencyCuts#PRE_STAGE_SAMPLE} baseline latencies. */
    double[] preStageCuts() {
      double[] sample = new double[LatencyCuts.PRE_STAGE_SAMPLE];
      int i = 0;
      while (i < sample.length) {
        double effect = rng.nextGaussian();
        int length = traffic.drawLength(rng);
        for (int j = 0; j < length && i < sample.length; j++) {
          sample[i++] = s.stable().latency().ms(latencyZ(effect));
        }
      }
      return LatencyCuts.of(sample);
    }

    double latencyZ(double effect) {
      return sqrtRhoL * effect + sqrtOneMinusRhoL * rng.nextGaussian();
    }

    Unit newUnit() {
      double share = s.stageWeightsBp()[stage] / 10_000.0 + s.unitShareShift();
      boolean isCanary = rng.nextDouble() < share;
      SessionArm arm = isCanary ? s.canary() : s.stable();
      Unit u =
          new Unit(
              isCanary,
              stage,
              traffic.drawLength(rng),
              arm.sessionScoreMean(rng, traffic.rhoScore()),
              SessionArm.sessionRate(rng, arm.errorRate(), traffic.rhoError()),
              SessionArm.sessionRate(rng, arm.safetyRate(), traffic.rhoError()),
              rng.nextGaussian(),
              rng.nextGaussian());
      (isCanary ? canary : stable).units++;
      if (isCanary) {
        totalCanaryUnits++;
      }
      return u;
    }

    void request(Unit u, double now) {
      SessionArm arm = u.canary ? s.canary() : s.stable();
      ArmAcc a = u.canary ? canary : stable;
      int oldRequests = u.requests;
      int requests = ++u.requests;
      a.observations++;
      if (u.canary) {
        stageCanaryRequests++;
        totalCanaryRequests++;
      }
      int oldErrors = u.errors;
      if (rng.nextDouble() < u.errorRate) {
        u.errors++;
      }
      a.errors.move(oldRequests, oldErrors, requests, u.errors);
      int oldFlags = u.flags;
      if (rng.nextDouble() < u.safetyRate) {
        u.flags++;
      }
      a.safety.move(oldRequests, oldFlags, requests, u.flags);
      double latency = arm.latency().ms(latencyZ(u.latencyEffect));
      for (int i = 0; i < cuts.length; i++) {
        int old = u.above[i];
        if (latency > cuts[i]) {
          u.above[i]++;
        }
        a.latency[i].move(oldRequests, old, requests, u.above[i]);
      }
      double oldCost = u.cost;
      u.cost +=
          arm.costMedian()
              * Math.exp(
                  arm.costSigmaLog()
                      * (sqrtRhoL * u.costEffect + sqrtOneMinusRhoL * rng.nextGaussian()));
      a.cost.move(oldRequests, oldCost, requests, u.cost);
      if (rng.nextDouble() < SessionArm.FEEDBACK_SHARE) {
        double r = rng.nextDouble();
        double v = r < 0.6 * u.mu ? 1 : r < 0.6 * u.mu + 0.6 * (1 - u.mu) ? -1 : 0;
        a.feedback.move(u.feedbacks, u.feedbackSum, u.feedbacks + 1, u.feedbackSum + v);
        u.feedbacks++;
        u.feedbackSum += v;
      }
      double score = arm.score(rng, u.mu, u.canary ? canaryNu : stableNu);
      double delay = traffic.judgeDelay(rng);
      if (delay <= 0) {
        score(u, score);
      } else {
        heap.push(now + delay, u, score);
      }
      if (--u.remaining > 0) {
        heap.push(now - traffic.gapSeconds() * Math.log(1 - rng.nextDouble()), u, Double.NaN);
      } else {
        a.resolved.move(0, 0, 1, rng.nextDouble() < u.mu ? 1 : 0);
      }
    }

    void score(Unit u, double score) {
      ArmAcc a = u.canary ? canary : stable;
      a.quality.move(u.scores, u.scoreSum, u.scores + 1, u.scoreSum + score);
      u.scores++;
      u.scoreSum += score;
    }

    AnalysisInput input() {
      List<LatencyCut> latency = new ArrayList<>(cuts.length);
      for (int i = 0; i < cuts.length; i++) {
        latency.add(
            new LatencyCut(
                LatencyCuts.QUANTILES[i],
                cuts[i],
                canary.latency[i].sums(),
                stable.latency[i].sums()));
      }
      return new AnalysisInput(
          engine.gates(), s.stageWeightsBp()[stage], canary.summary(), stable.summary(), latency);
    }

    Outcome end(Action action, int mask) {
      return new Outcome(action, (int) totalCanaryRequests, (int) totalCanaryUnits, stage, mask);
    }

    /** Null to keep going, or the run's end. */
    Outcome look() {
      if (canary.observations == 0 || stable.observations == 0) {
        return null;
      }
      AnalysisInput input = input();
      Decision d = engine.decision(input);
      boolean unhealthy = false;
      if (health != null && (canary.quality.n > 0 || stable.quality.n > 0)) {
        JudgeSample sample =
            new JudgeSample(
                "sim-judge",
                (long) canary.quality.n,
                0,
                (long) stable.quality.n,
                0,
                0,
                canary.quality.units,
                stable.quality.units);
        unhealthy =
            health.evaluate(s.stageWeightsBp()[stage], sample).decision()
                == Decision.JUDGE_UNHEALTHY;
      }
      switch (d) {
        case SAMPLE_RATIO_MISMATCH -> {
          return end(Action.BLOCKED, 0);
        }
        case REGRESSION -> {
          int mask = 0;
          for (Verdict v : engine.verdicts(input).gates()) {
            if (v.decision() == Decision.REGRESSION) {
              mask |= bit(v.gate());
            }
          }
          if (unhealthy && (mask & ~bit(GateKind.QUALITY)) == 0) {
            return end(Action.JUDGE_HOLD, 0);
          }
          return end(Action.ROLLBACK, mask);
        }
        case NON_INFERIOR -> {
          if (unhealthy) {
            return end(Action.JUDGE_HOLD, 0);
          }
          if (stage + 1 == s.stageWeightsBp().length) {
            return end(Action.PROMOTE, 0);
          }
          startStage(stage + 1);
          return null;
        }
        default -> {
          return unhealthy ? end(Action.JUDGE_HOLD, 0) : null;
        }
      }
    }

    Outcome simulate() {
      startStage(0);
      double sessionRate = traffic.requestsPerSecond() / traffic.expectedLength();
      double nextArrival = -Math.log(1 - rng.nextDouble()) / sessionRate;
      double nextLook = LOOK_SECONDS;
      while (true) {
        double heapTime = heap.peekTime();
        if (nextLook <= nextArrival && nextLook <= heapTime) {
          Outcome o = look();
          if (o != null) {
            return o;
          }
          nextLook += LOOK_SECONDS;
          continue;
        }
        if (nextArrival <= heapTime) {
          double now = nextArrival;
          request(newUnit(), now);
          nextArrival = now - Math.log(1 - rng.nextDouble()) / sessionRate;
        } else {
          Unit u = heap.peekUnit();
          double value = heap.peekValue();
          heap.pop();
          if (u.stage != stage) {
            continue; // a session of an earlier stage: not this stage's units
          }
          if (Double.isNaN(value)) {
            request(u, heapTime);
          } else {
            score(u, value);
          }
        }
        if (stageCanaryRequests >= s.horizon()) {
          return end(Action.HELD, 0);
        }
      }
    }
  }

  static Outcome simulate(
      ClusterScenario s, CanaryAnalysis engine, JudgeHealthCheck health, long seed) {
    return new Run(s, engine, health, seed).simulate();
  }
}
