package dev.promptcanary.activities.stats;

/**
 * What the rollout's judge did in one stage, per arm: scores it gave and attempts that failed.
 * {@code otherJudges} counts scores of the stage given by any other judge than the rollout's (a
 * changed model or rubric): they are left out of the quality gate, and count as misses of the
 * rollout's judge.
 *
 * @param judge the rollout's judge ({@code model/rubricVersion}), or null while none has scored yet
 * @param canaryScoredUnits canary units (sessions) with at least one score: what the balance check
 *     compares with the weight, since a unit's requests all follow it and long sessions make the
 *     share of scores vary far more than binomially
 * @param stableScoredUnits the same for the baseline
 */
public record JudgeSample(
    String judge,
    long canaryScored,
    long canaryFailed,
    long stableScored,
    long stableFailed,
    long otherJudges,
    long canaryScoredUnits,
    long stableScoredUnits) {

  public JudgeSample {
    if (canaryScored < 0
        || canaryFailed < 0
        || stableScored < 0
        || stableFailed < 0
        || otherJudges < 0
        || canaryScoredUnits < 0
        || stableScoredUnits < 0) {
      throw new IllegalArgumentException("judge counts must be >= 0");
    }
    if (canaryScoredUnits > canaryScored || stableScoredUnits > stableScored) {
      throw new IllegalArgumentException("an arm cannot have more scored units than scores");
    }
  }

  /** One score per unit (one-request sessions): every score its own unit. */
  public JudgeSample(
      String judge,
      long canaryScored,
      long canaryFailed,
      long stableScored,
      long stableFailed,
      long otherJudges) {
    this(
        judge,
        canaryScored,
        canaryFailed,
        stableScored,
        stableFailed,
        otherJudges,
        canaryScored,
        stableScored);
  }

  long scored() {
    return canaryScored + stableScored;
  }

  long misses() {
    return canaryFailed + stableFailed + otherJudges;
  }

  long attempts() {
    return scored() + misses();
  }
}
