package dev.promptcanary.bench.scale;

import dev.promptcanary.bench.Options;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The look delays and history lengths of rollouts that are running now, read from their workflow
 * histories alone: for a second look at a stack a {@link ManyRolloutsBench} run left up, or at any
 * dev stack. Options: {@code --temporal host:port}, {@code --ids id1,id2,...} or {@code --prefix
 * rollout-many-many- --count N} (ids PREFIX0-2 .. PREFIX(N-1)-2), {@code --from} and {@code --to}
 * (epoch millis of the window the looks were due in).
 */
public final class LookDelays {
  private LookDelays() {}

  public static void main(String[] args) {
    Options.apply(args);
    String target = System.getProperty("bench.temporal", "127.0.0.1:7233");
    long from = Long.parseLong(System.getProperty("bench.from", "0"));
    long to = Long.parseLong(System.getProperty("bench.to", Long.toString(Long.MAX_VALUE)));
    List<String> ids = new ArrayList<>();
    if (System.getProperty("bench.ids") != null) {
      ids.addAll(List.of(System.getProperty("bench.ids").split(",")));
    } else {
      String prefix = System.getProperty("bench.prefix", "rollout-many-many-");
      int count = Integer.getInteger("bench.count", 1000);
      for (int i = 0; i < count; i++) {
        ids.add(prefix + i + "-2");
      }
    }
    TemporalHistories histories = new TemporalHistories(target);
    List<Double> delays = new ArrayList<>();
    List<Double> events = new ArrayList<>();
    int withLooks = 0;
    int unreadable = 0;
    long continued = 0;
    for (String id : ids) {
      try {
        boolean looked = false;
        for (LookHistory.Run run : histories.runs(id)) {
          events.add((double) run.events());
          continued += run.continuedAsNew() ? 1 : 0;
          for (LookHistory.Look look : run.looks()) {
            if (look.dueMillis() >= from && look.dueMillis() <= to) {
              delays.add(look.delayMillis() / 1000.0);
              looked = true;
            }
          }
        }
        withLooks += looked ? 1 : 0;
      } catch (RuntimeException e) {
        unreadable++;
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%d rollouts (%d unreadable), %d with looks due in the window: %d looks, delay p50 %.3f s,"
            + " p99 %.3f s, max %.3f s; events per run median %.0f, max %.0f; %d runs continued as"
            + " new%n",
        ids.size(),
        unreadable,
        withLooks,
        delays.size(),
        ManyRolloutsBench.percentile(delays, 0.5),
        ManyRolloutsBench.percentile(delays, 0.99),
        ManyRolloutsBench.percentile(delays, 1.0),
        ManyRolloutsBench.percentile(events, 0.5),
        ManyRolloutsBench.percentile(events, 1.0),
        continued);
  }
}
