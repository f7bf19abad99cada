package dev.promptcanary.bench.decision;

import dev.promptcanary.workflows.domain.GatesConfig;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The clustered-traffic scenarios of issue 10: sessions of several correlated requests, at 5%, 10%
 * and 50%, over one stage or three (5% -> 25% -> 50%, sessions pinned to their first version).
 */
final class ClusterScenarios {
  /** Canary requests per stage before a stage counts as held. */
  static final int HORIZON = 10_000;

  /** Latency regressions at p50 and p99 need more data than the quality gate. */
  static final int LATENCY_HORIZON = 12_000;

  /**
   * A 0.1% base error rate needs far more: an identical canary is promoted after a median of about
   * 50,000 canary requests when the error gate holds for 90% power against a x3 rate.
   */
  static final int RARE_ERROR_HORIZON = 100_000;

  static final double MEAN = 0.7;
  static final double SD = 0.2;

  static final int[] W5 = {500};
  static final int[] W10 = {1_000};
  static final int[] W50 = {5_000};
  static final int[] STAGES = {500, 2_500, 5_000};

  /** The shipped defaults, every gate live. */
  static final UnaryOperator<GatesConfig> DEFAULTS = g -> g;

  /** Scores of mean 0.7, sd 0.2: the arm most scenarios use. */
  private static final SessionArm SD02 = SessionArm.typical(MEAN, SD);

  /** Sessions of 5 requests on average. */
  private static final Traffic GEO5 = Traffic.geometric(5, 0.3);

  private ClusterScenarios() {}

  static List<ClusterScenario> all() {
    SessionArm rare = SD02.withErrorRate(0.001);
    Traffic heavy = Traffic.heavy(3, 0.3);
    return List.of(
        aa("cl_aa_geo2_w50", W50, Traffic.geometric(2, 0.1), SD02),
        aa("cl_aa_geo5_w10", W10, GEO5, SD02),
        aa("cl_aa_geo20_w50", W50, Traffic.geometric(20, 0.5), SD02),
        aa("cl_aa_heavy_w5", W5, heavy, SD02),
        aa("cl_aa_heavy_w10", W10, heavy, SD02),
        aa("cl_aa_heavy_w50", W50, heavy, SD02),
        aa("cl_aa_stages", STAGES, heavy, SD02),
        new ClusterScenario(
            "cl_aa_stages_late",
            "A/A, " + describe(STAGES, heavy) + ", judge scores 1-10 min late",
            Truth.NO_REGRESSION,
            STAGES,
            0,
            HORIZON,
            heavy.withJudgeDelay(60, 600),
            SD02,
            SD02,
            DEFAULTS),
        new ClusterScenario(
            "cl_aa_binary",
            "A/A, binary pass/fail judge (pass 0.8), " + describe(W50, GEO5),
            Truth.NO_REGRESSION,
            W50,
            0,
            HORIZON,
            GEO5,
            SessionArm.binary(0.8),
            SessionArm.binary(0.8),
            DEFAULTS),
        rareError("cl_aa_err01", "A/A at a 0.1% base error rate", Truth.NO_REGRESSION, rare, rare),
        againstTypical(
            "cl_latency_narrow",
            "same p50 and p95, narrower around p95 (p75 +16%, p99 -13%)",
            Truth.INSIDE_MARGIN,
            LATENCY_HORIZON,
            SD02.withLatency(LatencyShape.narrowAtP95(800, 0.5, 0.6))),
        againstTypical(
            "cl_drop_005",
            "quality drop 0.05 at sd 0.2",
            Truth.REGRESSION,
            HORIZON,
            SD02.withScoreMean(MEAN - 0.05)),
        againstTypical(
            "cl_drop_010",
            "quality drop 0.10 at sd 0.2",
            Truth.REGRESSION,
            HORIZON,
            SD02.withScoreMean(MEAN - 0.10)),
        againstTypical(
            "cl_latency_median20",
            "latency median +20%, p95 and above unchanged",
            Truth.REGRESSION,
            LATENCY_HORIZON,
            SD02.withLatency(LatencyShape.medianUp(800, 0.5, 1.2))),
        againstTypical(
            "cl_latency_p99x15",
            "latency p99 +50%, p95 and below unchanged",
            Truth.REGRESSION,
            LATENCY_HORIZON,
            SD02.withLatency(LatencyShape.tailUp(800, 0.5, 1.5))),
        rareError(
            "cl_error_x3_base01",
            "error rate 0.1% -> 0.3%",
            Truth.REGRESSION,
            rare,
            rare.withErrorRate(0.003)),
        new ClusterScenario(
            "cl_srm_2pt",
            "A/A, weight 10% but 12% of sessions reach the canary, " + describe(W10, GEO5),
            Truth.SAMPLE_RATIO_MISMATCH,
            W10,
            0.02,
            HORIZON,
            GEO5,
            SD02,
            SD02,
            DEFAULTS));
  }

  private static ClusterScenario aa(String name, int[] weights, Traffic traffic, SessionArm arm) {
    return new ClusterScenario(
        name,
        "A/A at sd 0.2, " + describe(weights, traffic),
        Truth.NO_REGRESSION,
        weights,
        0,
        HORIZON,
        traffic,
        arm,
        arm,
        DEFAULTS);
  }

  /** At 50% over one stage on {@link #GEO5} sessions, stable {@link #SD02}, the shipped gates. */
  private static ClusterScenario againstTypical(
      String name, String what, Truth truth, int horizon, SessionArm canary) {
    return new ClusterScenario(
        name,
        what + ", " + describe(W50, GEO5),
        truth,
        W50,
        0,
        horizon,
        GEO5,
        SD02,
        canary,
        DEFAULTS);
  }

  /** At a 0.1% base error rate: 50% over one stage, 3-request sessions, the rare-error gate. */
  private static ClusterScenario rareError(
      String name, String what, Truth truth, SessionArm stable, SessionArm canary) {
    Traffic traffic = Traffic.geometric(3, 0.2);
    return new ClusterScenario(
        name,
        what + ", " + describe(W50, traffic) + ", error gate: " + GateVariants.RARE_ERROR_NAME,
        truth,
        W50,
        0,
        RARE_ERROR_HORIZON,
        traffic,
        stable,
        canary,
        GateVariants.RARE_ERROR);
  }

  static String describe(int[] weights, Traffic traffic) {
    StringBuilder w = new StringBuilder();
    for (int i = 0; i < weights.length; i++) {
      w.append(i == 0 ? "" : "->").append(weights[i] / 100).append('%');
    }
    return w + (weights.length > 1 ? " pinned, " : ", ") + traffic.describe();
  }
}
