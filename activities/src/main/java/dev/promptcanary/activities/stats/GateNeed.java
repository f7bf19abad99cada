package dev.promptcanary.activities.stats;

/**
 * How many canary samples one gate needs before it stops holding a promotion, for an identical
 * canary: a non-inferiority gate until its bound reaches the margin, a harm-detection gate with a
 * minimum power until it has that power against its margin, the sample ratio check until the split
 * is verified.
 *
 * @param gate "quality", "error_rate", "latency p95", "metric resolution", "sample_ratio"
 * @param canarySamples canary requests (or scores, for quality) it needs
 */
public record GateNeed(String gate, long canarySamples) {}
