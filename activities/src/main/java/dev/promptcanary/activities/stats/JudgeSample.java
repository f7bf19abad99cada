package dev.promptcanary.activities.stats;

/**
 * What the rollout's judge did in one stage, per arm: scores it gave and attempts that failed. {@code otherJudges}
 * counts scores of the stage given by any other judge than the rollout's (a changed model or rubric): they are left
 * out of the quality gate, and count as misses of the rollout's judge.
 *
 * @param judge the rollout's judge ({@code model/rubricVersion}), or null while none has scored yet
 */
public record JudgeSample(
    String judge, long canaryScored, long canaryFailed, long baselineScored, long baselineFailed, long otherJudges) {

  public JudgeSample {
    if (canaryScored < 0 || canaryFailed < 0 || baselineScored < 0 || baselineFailed < 0 || otherJudges < 0) {
      throw new IllegalArgumentException("judge counts must be >= 0");
    }
  }

  long scored() {
    return canaryScored + baselineScored;
  }

  long misses() {
    return canaryFailed + baselineFailed + otherJudges;
  }

  long attempts() {
    return scored() + misses();
  }
}
