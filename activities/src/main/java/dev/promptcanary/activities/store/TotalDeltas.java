package dev.promptcanary.activities.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The changes one ingest transaction makes to {@code unit_totals} (migration V8), added up per row
 * as its statements report them and written by one statement at the end ({@link
 * OutcomeDao#addTotals}), so that the transaction holds the totals' row locks only from then until
 * it commits.
 */
public final class TotalDeltas {
  /**
   * A change to one totals row; a statement reports the rows it stored as one with metric {@link
   * #STORED} and the count in {@code units}.
   */
  public record Delta(
      String prompt,
      Integer version,
      Instant bucket,
      String metric,
      long units,
      double n,
      double s,
      double nn,
      double ss,
      double ns) {}

  /** The metric of the row a statement reports its stored rows' count in. */
  public static final String STORED = "#stored";

  private record Key(String prompt, int version, long bucketMicros, String metric)
      implements Comparable<Key> {
    @Override
    public int compareTo(Key o) {
      int c = prompt.compareTo(o.prompt);
      if (c == 0) {
        c = Integer.compare(version, o.version);
      }
      if (c == 0) {
        c = Long.compare(bucketMicros, o.bucketMicros);
      }
      return c != 0 ? c : metric.compareTo(o.metric);
    }
  }

  private final Map<Key, double[]> rows = new TreeMap<>();

  /** Adds a statement's deltas; returns the count it stored (its {@link #STORED} row, else 0). */
  public int add(List<Delta> deltas) {
    int stored = 0;
    for (Delta d : deltas) {
      if (STORED.equals(d.metric())) {
        stored += (int) d.units();
        continue;
      }
      double[] row =
          rows.computeIfAbsent(
              new Key(d.prompt(), d.version(), EpochMicros.of(d.bucket()), d.metric()),
              k -> new double[6]);
      row[0] += d.units();
      row[1] += d.n();
      row[2] += d.s();
      row[3] += d.nn();
      row[4] += d.ss();
      row[5] += d.ns();
    }
    return stored;
  }

  /** Writes the changes (nothing when there are none). */
  void writeTo(OutcomeDao dao) {
    var changed =
        rows.entrySet().stream()
            .filter(e -> java.util.Arrays.stream(e.getValue()).anyMatch(v -> v != 0))
            .toList();
    int m = changed.size();
    if (m == 0) {
      return;
    }
    String[] prompts = new String[m];
    Integer[] versions = new Integer[m];
    Long[] buckets = new Long[m];
    String[] metrics = new String[m];
    Long[] units = new Long[m];
    Double[][] moments = new Double[5][m];
    for (int i = 0; i < m; i++) {
      Key k = changed.get(i).getKey();
      double[] v = changed.get(i).getValue();
      prompts[i] = k.prompt();
      versions[i] = k.version();
      buckets[i] = k.bucketMicros();
      metrics[i] = k.metric();
      units[i] = (long) v[0];
      for (int j = 0; j < 5; j++) {
        moments[j][i] = v[j + 1];
      }
    }
    dao.addTotals(
        prompts,
        versions,
        buckets,
        metrics,
        units,
        moments[0],
        moments[1],
        moments[2],
        moments[3],
        moments[4]);
  }
}
