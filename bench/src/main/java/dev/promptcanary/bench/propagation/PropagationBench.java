package dev.promptcanary.bench.propagation;

import dev.promptcanary.activities.routing.RoutingLoader;
import dev.promptcanary.activities.routing.RoutingSynchronizer;
import dev.promptcanary.activities.routing.RoutingTable;
import dev.promptcanary.activities.routing.RoutingWrite;
import dev.promptcanary.activities.store.PromptDao;
import dev.promptcanary.activities.store.RoutingDao;
import dev.promptcanary.bench.BenchStore;
import dev.promptcanary.bench.Machine;
import dev.promptcanary.bench.Options;
import dev.promptcanary.bench.Table;
import dev.promptcanary.serving.FewShotExample;
import dev.promptcanary.serving.PromptContent;
import dev.promptcanary.testkit.EmbeddedPostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * How long a routing change committed on one node takes to reach every node's in-memory table (the
 * README promises within a second), against the floor of the mechanism: a bare {@code pg_notify}
 * round trip to a listening connection, measured in the same run. Two synchronizers stand for two
 * API nodes; their full reload is an hour away, so only notifications are at work.
 */
public final class PropagationBench {
  private static final String PROMPT = "propagated";

  private PropagationBench() {}

  public static void main(String[] args) throws Exception {
    Options.apply(args);
    int changes = Integer.getInteger("bench.changes", 200);
    System.out.println(
        "routing propagation: "
            + changes
            + " changes, two nodes; load average at start "
            + Machine.load());
    try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.startTemporary()) {
      String url = postgres.jdbcUrl("promptcanary");
      Jdbi jdbi = BenchStore.migrated(postgres, url);
      PromptDao prompts = jdbi.onDemand(PromptDao.class);
      prompts.createVersion(PROMPT, content(1), "bench");
      prompts.createVersion(PROMPT, content(2), "bench");
      Properties props = new Properties();
      props.setProperty("user", postgres.user());

      List<Double> notify = notifyRoundTrips(url, props, changes);
      List<Double> propagation = propagation(jdbi, url, props, changes);

      double notifyP50 = percentile(notify, 0.5);
      double p50 = percentile(propagation, 0.5);
      Table table = new Table("path", "p50 ms", "p90 ms", "p99 ms", "max ms", "p50 / notify p50");
      row(table, "pg_notify round trip (baseline)", notify, "1.00");
      row(table, "routing write -> both nodes' tables", propagation, Table.fmt(p50 / notifyP50, 2));
      System.out.println(table.render());
      double max = percentile(propagation, 1);
      System.out.println(
          max < 1000
              ? "PASS: every change reached both nodes within 1 s"
              : "MISS: slowest change took " + ms(max) + " ms (target 1 s)");
      System.out.println(
          String.format(
              Locale.ROOT,
              "{\"bench\": \"propagation\", \"changes\": %d, \"notify_p50_ms\": %.3f, \"propagation_p50_ms\": %.3f,"
                  + " \"propagation_p99_ms\": %.3f, \"propagation_max_ms\": %.3f, \"ratio_p50\": %.3f,"
                  + " \"within_1s\": %b}",
              changes,
              notifyP50,
              p50,
              percentile(propagation, 0.99),
              max,
              p50 / notifyP50,
              max < 1000));
    }
  }

  /** Milliseconds from a {@code pg_notify} commit to a listening connection receiving it. */
  private static List<Double> notifyRoundTrips(String url, Properties props, int n)
      throws Exception {
    List<Double> out = new ArrayList<>();
    try (Connection listener = DriverManager.getConnection(url, props);
        Connection sender = DriverManager.getConnection(url, props);
        Statement listen = listener.createStatement();
        Statement send = sender.createStatement()) {
      listen.execute("LISTEN bench_floor");
      PGConnection pg = listener.unwrap(PGConnection.class);
      for (int i = 0; i < n; i++) {
        long start = System.nanoTime();
        send.execute("SELECT pg_notify('bench_floor', '" + i + "')");
        PGNotification[] got = null;
        while (got == null || got.length == 0) {
          got = pg.getNotifications(1000);
        }
        out.add((System.nanoTime() - start) / 1e6);
      }
    }
    return out;
  }

  /** Milliseconds from a fenced routing write to both synchronized tables showing its weight. */
  private static List<Double> propagation(Jdbi jdbi, String url, Properties props, int n)
      throws Exception {
    RoutingTable nodeA = new RoutingTable();
    RoutingTable nodeB = new RoutingTable();
    Duration slowReload = Duration.ofHours(1);
    RoutingDao routing = jdbi.onDemand(RoutingDao.class);
    List<Double> out = new ArrayList<>();
    try (RoutingSynchronizer a =
            new RoutingSynchronizer(new RoutingLoader(jdbi, nodeA), url, props, slowReload);
        RoutingSynchronizer b =
            new RoutingSynchronizer(new RoutingLoader(jdbi, nodeB), url, props, slowReload)) {
      a.start();
      b.start();
      Thread.sleep(500); // both listeners subscribed
      for (int i = 1; i <= n; i++) {
        int weight = 1 + i % 9_999;
        long start = System.nanoTime();
        routing.apply(new RoutingWrite(PROMPT, i == 1 ? null : "bench", "bench", i, 1, 2, weight));
        long deadline = start + 5_000_000_000L;
        while ((weight(nodeA) != weight || weight(nodeB) != weight)
            && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
        if (weight(nodeA) != weight || weight(nodeB) != weight) {
          throw new IllegalStateException("change " + i + " did not reach both nodes within 5 s");
        }
        out.add((System.nanoTime() - start) / 1e6);
      }
    }
    return out;
  }

  private static int weight(RoutingTable table) {
    return table.route(PROMPT).map(r -> r.state().canaryWeightBp()).orElse(-1);
  }

  private static PromptContent content(int n) {
    return new PromptContent(
        "Bench prompt " + n + ".",
        List.of(new FewShotExample("hi", "hello")),
        "Say {{x}}",
        "sim-model",
        Map.of("temperature", 0.2));
  }

  /** A path's p50, p90, p99 and max, then its ratio to the baseline. */
  private static void row(Table table, String path, List<Double> latencies, String ratio) {
    table.row(
        path,
        ms(percentile(latencies, 0.5)),
        ms(percentile(latencies, 0.9)),
        ms(percentile(latencies, 0.99)),
        ms(percentile(latencies, 1)),
        ratio);
  }

  private static double percentile(List<Double> values, double q) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int index = (int) Math.ceil(q * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  private static String ms(double value) {
    return Table.fmt(value, 2);
  }
}
