package dev.promptcanary.bench.decision;

/** One method's end of one simulated rollout: what it did and after how many canary samples. */
record Outcome(Action action, int canarySamples) {}
