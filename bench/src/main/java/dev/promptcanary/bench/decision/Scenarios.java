package dev.promptcanary.bench.decision;

import java.util.List;

/** The scenarios of issue 4, with their parameters in one place. */
final class Scenarios {
  /** Quality scenarios run up to this many canary samples (a generous bake window). */
  static final int HORIZON = 6_000;

  /** Error-rate changes at a 1% base need far more data, so their window is longer. */
  static final int ERROR_HORIZON = 20_000;

  static final double MEAN = 0.7;

  /** p95 +30% at an unchanged median: sigma_log grows by ln(1.3) / z_0.95. */
  static final double LATENCY_SIGMA_P95_UP_30 = 0.5 + Math.log(1.3) / 1.6448536269514722;

  private Scenarios() {}

  static List<Scenario> all() {
    ArmModel sd02 = ArmModel.typical(ScoreModel.beta(MEAN, 0.2));
    return List.of(
        aa("aa_sd01", "A/A, Beta judge scores mean 0.7 sd 0.1", ScoreModel.beta(MEAN, 0.1)),
        aa("aa_sd02", "A/A, Beta judge scores mean 0.7 sd 0.2", ScoreModel.beta(MEAN, 0.2)),
        aa(
            "aa_sd03",
            "A/A, Beta judge scores mean 0.7 sd 0.3 (U-shaped)",
            ScoreModel.beta(MEAN, 0.3)),
        aa(
            "aa_likert",
            "A/A, discrete 1-5 judge rescaled, skewed high (sd 0.27)",
            ScoreModel.likert()),
        new Scenario(
            "drop_002",
            "quality drop 0.02 at sd 0.2 (inside the 0.05 margin)",
            Truth.INSIDE_MARGIN,
            5_000,
            0.5,
            HORIZON,
            sd02,
            ArmModel.typical(ScoreModel.beta(MEAN - 0.02, 0.2))),
        new Scenario(
            "drop_005",
            "quality drop 0.05 at sd 0.2",
            Truth.REGRESSION,
            5_000,
            0.5,
            HORIZON,
            sd02,
            ArmModel.typical(ScoreModel.beta(MEAN - 0.05, 0.2))),
        new Scenario(
            "drop_010",
            "quality drop 0.10 at sd 0.2",
            Truth.REGRESSION,
            5_000,
            0.5,
            HORIZON,
            sd02,
            ArmModel.typical(ScoreModel.beta(MEAN - 0.10, 0.2))),
        new Scenario(
            "error_x1_5",
            "error rate 1% -> 1.5% (inside the 1-point margin)",
            Truth.INSIDE_MARGIN,
            5_000,
            0.5,
            ERROR_HORIZON,
            sd02,
            sd02.withErrorRate(0.015)),
        new Scenario(
            "error_x2",
            "error rate 1% -> 2%",
            Truth.REGRESSION,
            5_000,
            0.5,
            ERROR_HORIZON,
            sd02,
            sd02.withErrorRate(0.02)),
        new Scenario(
            "latency_p95_30",
            "lognormal latency, p95 +30%, median unchanged",
            Truth.REGRESSION,
            5_000,
            0.5,
            HORIZON,
            sd02,
            sd02.withLatency(LatencyShape.logNormal(800, LATENCY_SIGMA_P95_UP_30))),
        new Scenario(
            "split_5_95",
            "A/A at sd 0.2 with a 5/95 split",
            Truth.NO_REGRESSION,
            500,
            0.05,
            HORIZON,
            sd02,
            sd02),
        new Scenario(
            "srm_2pt",
            "A/A, weight 10% but the canary gets 12% (2-point SRM)",
            Truth.SAMPLE_RATIO_MISMATCH,
            1_000,
            0.12,
            HORIZON,
            sd02,
            sd02),
        drift());
  }

  private static Scenario aa(String name, String description, ScoreModel scores) {
    ArmModel arm = ArmModel.typical(scores);
    return new Scenario(name, description, Truth.NO_REGRESSION, 5_000, 0.5, HORIZON, arm, arm);
  }

  /** Both arms' mean judge score slides from 0.75 to 0.55 over the first 2,000 samples. */
  private static Scenario drift() {
    ArmModel arm = ArmModel.typical(ScoreModel.drifting(0.75, 0.55, 2_000, 0.2));
    return new Scenario(
        "drift",
        "A/A at sd 0.2, both arms drift from 0.75 to 0.55",
        Truth.NO_REGRESSION,
        5_000,
        0.5,
        HORIZON,
        arm,
        arm);
  }
}
