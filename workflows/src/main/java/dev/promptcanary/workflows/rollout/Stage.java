package dev.promptcanary.workflows.rollout;

/**
 * One step of a rollout: the canary weight to hold, how many judge scores each arm needs (metric
 * completeness), and how long to bake. A stage can promote only after {@code minBakeSeconds} and
 * completeness; it can roll back at any moment; at {@code maxBakeSeconds} without a decision the
 * rollout's inconclusive policy applies.
 */
public record Stage(int weightBp, int minJudgements, long minBakeSeconds, long maxBakeSeconds) {

  public Stage {
    if (weightBp < 1 || weightBp > 10_000) {
      throw new IllegalArgumentException("weightBp must be within 1..10000, was " + weightBp);
    }
    if (minJudgements < 0) {
      throw new IllegalArgumentException("minJudgements must be >= 0, was " + minJudgements);
    }
    if (minBakeSeconds < 0 || maxBakeSeconds < minBakeSeconds || maxBakeSeconds < 1) {
      throw new IllegalArgumentException(
          "need 0 <= minBakeSeconds <= maxBakeSeconds and maxBakeSeconds >= 1, got "
              + minBakeSeconds
              + " and "
              + maxBakeSeconds);
    }
  }
}
