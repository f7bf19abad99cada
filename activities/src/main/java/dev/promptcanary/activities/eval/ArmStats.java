package dev.promptcanary.activities.eval;

import java.util.List;

/**
 * One arm's figures over the cases it finished: pass rate, mean judge score (over cases that have
 * judge assertions; null when none has) and usage.
 */
public record ArmStats(
    Integer version,
    int cases,
    int passed,
    double passRate,
    int judged,
    Double meanJudgeScore,
    double cost,
    long inputTokens,
    long outputTokens) {

  public static ArmStats of(Integer version, List<CaseResult> results) {
    int passed = 0;
    int judged = 0;
    double scoreSum = 0;
    double cost = 0;
    long in = 0;
    long out = 0;
    for (CaseResult r : results) {
      passed += r.passed() ? 1 : 0;
      if (r.judgeScore() != null) {
        judged++;
        scoreSum += r.judgeScore();
      }
      cost += r.cost();
      in += r.inputTokens();
      out += r.outputTokens();
    }
    return new ArmStats(
        version,
        results.size(),
        passed,
        results.isEmpty() ? 0 : (double) passed / results.size(),
        judged,
        judged == 0 ? null : scoreSum / judged,
        cost,
        in,
        out);
  }
}
