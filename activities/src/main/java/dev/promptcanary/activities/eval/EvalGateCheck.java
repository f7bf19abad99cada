package dev.promptcanary.activities.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.DoubleFunction;

/** Applies a suite's gate to the two arms' figures: passed or not, with one line saying why. */
public final class EvalGateCheck {
  private EvalGateCheck() {}

  /** The eval gate's answer: whether the candidate may go on to the canary stages, and why. */
  public record Result(boolean passed, String reason) {}

  public static Result decide(
      String suiteLabel, EvalGate gate, ArmStats candidate, ArmStats baseline) {
    List<String> failures = new ArrayList<>();
    if (gate.minPassRate() != null && candidate.passRate() < gate.minPassRate()) {
      failures.add(
          "pass rate "
              + pct(candidate.passRate())
              + " below the minimum "
              + pct(gate.minPassRate()));
    }
    if (gate.minMeanJudgeScore() != null) {
      if (candidate.meanJudgeScore() == null) {
        failures.add("no judge score to compare with the minimum " + num(gate.minMeanJudgeScore()));
      } else if (candidate.meanJudgeScore() < gate.minMeanJudgeScore()) {
        failures.add(
            "mean judge score "
                + num(candidate.meanJudgeScore())
                + " below the minimum "
                + num(gate.minMeanJudgeScore()));
      }
    }
    if (gate.maxDropVsBaseline() != null && baseline != null) {
      double allowed = gate.maxDropVsBaseline();
      dropBelowBaseline(
              "pass rate", candidate.passRate(), baseline.passRate(), allowed, EvalGateCheck::pct)
          .ifPresent(failures::add);
      if (candidate.meanJudgeScore() != null && baseline.meanJudgeScore() != null) {
        dropBelowBaseline(
                "mean judge score",
                candidate.meanJudgeScore(),
                baseline.meanJudgeScore(),
                allowed,
                EvalGateCheck::num)
            .ifPresent(failures::add);
      }
    }
    String figures = figures(candidate, baseline);
    if (failures.isEmpty()) {
      return new Result(true, "eval suite " + suiteLabel + " passed: " + figures);
    }
    return new Result(
        false,
        "eval suite "
            + suiteLabel
            + " blocked the candidate: "
            + String.join("; ", failures)
            + " ("
            + figures
            + ")");
  }

  /**
   * The failure when the candidate's {@code figure} is more than {@code allowed} below baseline.
   */
  private static Optional<String> dropBelowBaseline(
      String figure,
      double candidate,
      double baseline,
      double allowed,
      DoubleFunction<String> format) {
    double drop = baseline - candidate;
    if (!(drop > allowed + 1e-12)) {
      return Optional.empty();
    }
    return Optional.of(
        figure
            + " "
            + format.apply(candidate)
            + " is "
            + format.apply(drop)
            + " below the baseline's "
            + format.apply(baseline)
            + " (allowed drop "
            + format.apply(allowed)
            + ")");
  }

  static String figures(ArmStats candidate, ArmStats baseline) {
    StringBuilder s = new StringBuilder();
    s.append("candidate v")
        .append(candidate.version())
        .append(' ')
        .append(candidate.passed())
        .append('/')
        .append(candidate.cases())
        .append(" cases passed");
    if (candidate.meanJudgeScore() != null) {
      s.append(", mean judge score ").append(num(candidate.meanJudgeScore()));
    }
    if (baseline != null) {
      s.append("; baseline v")
          .append(baseline.version())
          .append(' ')
          .append(baseline.passed())
          .append('/')
          .append(baseline.cases());
      if (baseline.meanJudgeScore() != null) {
        s.append(", mean judge score ").append(num(baseline.meanJudgeScore()));
      }
    }
    double cost = candidate.cost() + (baseline == null ? 0 : baseline.cost());
    s.append("; cost $").append(String.format(Locale.ROOT, "%.4f", cost));
    return s.toString();
  }

  private static String pct(double share) {
    return String.format(Locale.ROOT, "%.1f%%", share * 100);
  }

  private static String num(double value) {
    return String.format(Locale.ROOT, "%.2f", value);
  }
}
