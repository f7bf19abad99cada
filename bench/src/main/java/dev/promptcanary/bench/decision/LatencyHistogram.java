package dev.promptcanary.bench.decision;

/**
 * Latencies of one arm in 4096 log-spaced bins (1 ms to 100 s, 0.28% wide) in a Fenwick tree, so
 * that every look can ask for a quantile and for counts above a cut in O(log bins) instead of
 * re-sorting the whole sample. Plays the part of the SQL {@code percentile_cont} and {@code count
 * filter} the verdict activity runs.
 */
final class LatencyHistogram {
  static final int BINS = 4096;
  private static final double LOG_MAX = Math.log(100_000);
  private final int[] tree = new int[BINS + 1];
  private long count;

  static int bin(double latencyMs) {
    double x = Math.log(Math.max(1.0, latencyMs)) / LOG_MAX * BINS;
    return (int) Math.min(BINS - 1, Math.max(0, x));
  }

  static double upperEdgeMs(int bin) {
    return Math.exp((bin + 1) * LOG_MAX / BINS);
  }

  void add(double latencyMs) {
    for (int i = bin(latencyMs) + 1; i <= BINS; i += i & -i) {
      tree[i]++;
    }
    count++;
  }

  long count() {
    return count;
  }

  /** Values in bins 0..bin. */
  long atOrBelow(int bin) {
    long sum = 0;
    for (int i = bin + 1; i > 0; i -= i & -i) {
      sum += tree[i];
    }
    return sum;
  }

  /** The bin holding the q-quantile (smallest bin whose cumulative count reaches ceil(q n)). */
  int quantileBin(double q) {
    long rank = Math.max(1, (long) Math.ceil(q * count));
    int pos = 0;
    long remaining = rank;
    for (int step = Integer.highestOneBit(BINS); step > 0; step >>= 1) {
      int next = pos + step;
      if (next <= BINS && tree[next] < remaining) {
        pos = next;
        remaining -= tree[next];
      }
    }
    return Math.min(BINS - 1, pos); // pos is the count of bins strictly below: the 0-based bin
  }
}
