package dev.promptcanary.bench.ingest;

import static dev.promptcanary.bench.Table.fmt;
import static dev.promptcanary.bench.Table.median;

import dev.promptcanary.activities.ingest.IngestResult;
import dev.promptcanary.activities.ingest.Observation;
import dev.promptcanary.activities.store.OutcomeDao;
import dev.promptcanary.activities.store.Store;
import dev.promptcanary.bench.Api;
import dev.promptcanary.bench.ApiServer;
import dev.promptcanary.bench.BenchStore;
import dev.promptcanary.bench.Machine;
import dev.promptcanary.bench.Options;
import dev.promptcanary.bench.Table;
import dev.promptcanary.testkit.EmbeddedPostgresServer;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Outcome ingest into the {@code observations} table, three ways in the same run, on the same data
 * and the same embedded PostgreSQL: a raw {@code COPY} (pgjdbc {@link CopyManager}, the baseline),
 * the store path ({@link OutcomeDao#insertObservations}, what the API calls), and {@code POST
 * /v1/observations} on the packaged server. Batches of 500 everywhere; COPY and the store path each
 * on one connection, one batch after another. The table is emptied before every phase, and the
 * phases alternate round by round.
 */
public final class IngestBench {
  private static final String PROMPT = "bench-ingest";
  private static final String COLUMNS =
      "request_id, prompt, version, unit, observed_at, latency_ms, input_tokens, output_tokens,"
          + " cost, error, safety_flag, feedback";

  private static int batchSize;
  private static int batches;
  private static int rounds;
  private static int apiConcurrency;

  /**
   * The sessions the observations are drawn from at random ({@code --sessions}): by default a
   * million, so nearly every observation starts a new unit (the costliest case for the aggregates).
   */
  private static int sessions;

  record Phase(String name, double obsPerSecond) {}

  public static void main(String[] args) throws Exception {
    Options.apply(args);
    batchSize = Integer.getInteger("bench.batch", 500);
    batches = Integer.getInteger("bench.batches", 100);
    rounds = Integer.getInteger("bench.rounds", 5);
    apiConcurrency = Integer.getInteger("bench.api.concurrency", 4);
    sessions = Integer.getInteger("bench.sessions", 1_000_000);
    System.out.println(
        "ingest benchmark: "
            + Machine.coresAndJava()
            + "; "
            + batches
            + " batches of "
            + batchSize
            + " observations per phase, "
            + rounds
            + " rounds; API with "
            + apiConcurrency
            + " concurrent requests; load average at start "
            + Machine.load());

    List<List<Observation>> data = observations(batches, batchSize);
    List<String> bodies = data.stream().map(IngestBench::json).toList();
    List<String> csvs = data.stream().map(IngestBench::csv).toList();

    boolean withApi = Boolean.parseBoolean(System.getProperty("bench.api", "true"));
    try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.startTemporary()) {
      String url = postgres.jdbcUrl("promptcanary");
      if (!withApi) {
        // --api=false: COPY and the store path only, without the packaged server (the schema
        // migrated here)
        BenchStore.createTwoVersions(BenchStore.migrated(postgres, url), PROMPT, "Ingest bench");
      }
      // The server migrates the schema on start, as deployed.
      try (ApiServer server =
              withApi ? ApiServer.start(url, postgres.user(), serverJvmOptions()) : null;
          Handle handle = Store.configure(Jdbi.create(url, postgres.user(), "")).open()) {
        if (withApi) {
          Api api = new Api(server.baseUrl(), server.adminKey());
          api.createVersion(PROMPT, 1);
          api.createVersion(PROMPT, 2);
        }
        OutcomeDao dao = handle.attach(OutcomeDao.class);
        CopyManager copy = handle.getConnection().unwrap(PGConnection.class).getCopyAPI();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI endpoint = withApi ? URI.create(server.baseUrl() + "/v1/observations") : null;

        if (Boolean.getBoolean("bench.track")) {
          // --track=true: a rollout's latency track on the prompt (three cuts), as while a stage
          // runs
          handle.execute(
              "INSERT INTO latency_tracks (prompt, since, versions, cuts) VALUES (?, ?, '{1,2}',"
                  + " '{1150,1260,1300}')",
              PROMPT,
              Instant.EPOCH);
        }
        System.out.println("warming up (one round, not counted)...");
        copyPhase(handle, copy, csvs);
        storePhase(handle, dao, data);
        if (withApi) {
          apiPhase(handle, http, endpoint, bodies, server.adminKey());
        }

        List<Double> copies = new ArrayList<>();
        List<Double> stores = new ArrayList<>();
        List<Double> apis = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
          // COPY and the store path run back to back, in alternating order, so a busy neighbour
          // hits both alike.
          double c;
          double st;
          if (round % 2 == 1) {
            c = copyPhase(handle, copy, csvs);
            st = storePhase(handle, dao, data);
          } else {
            st = storePhase(handle, dao, data);
            c = copyPhase(handle, copy, csvs);
          }
          copies.add(c);
          stores.add(st);
          ratios.add(st / c);
          apis.add(
              withApi ? apiPhase(handle, http, endpoint, bodies, server.adminKey()) : Double.NaN);
          System.out.printf(
              "round %d: COPY %s obs/s, store %s obs/s (%s x COPY), API %s obs/s%n",
              round, fmt(c, 0), fmt(st, 0), fmt(st / c, 3), fmt(apis.get(round - 1), 0));
        }
        report(median(copies), median(stores), median(ratios), median(apis));
      }
    }
  }

  /** {@code --server.jvm="-XX:StartFlightRecording=..."} profiles the server; none by default. */
  static List<String> serverJvmOptions() {
    String options = System.getProperty("bench.server.jvm", "").trim();
    return options.isEmpty() ? List.of() : List.of(options.split("\\s+"));
  }

  // ---- the three paths ----

  /** The CSV is formatted before the clock starts: the baseline is COPY itself at its fastest. */
  private static double copyPhase(Handle handle, CopyManager copy, List<String> csv)
      throws Exception {
    empty(handle);
    long start = System.nanoTime();
    long rows = 0;
    for (String text : csv) {
      rows +=
          copy.copyIn(
              "COPY observations (" + COLUMNS + ") FROM STDIN (FORMAT csv)",
              new StringReader(text));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return verified(handle, "COPY", rows, seconds);
  }

  private static double storePhase(Handle handle, OutcomeDao dao, List<List<Observation>> data) {
    empty(handle);
    long start = System.nanoTime();
    long accepted = 0;
    for (List<Observation> batch : data) {
      IngestResult result = dao.insertObservations(batch);
      accepted += result.accepted();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return verified(handle, "store", accepted, seconds);
  }

  private static double apiPhase(
      Handle handle, HttpClient http, URI endpoint, List<String> bodies, String key)
      throws Exception {
    empty(handle);
    AtomicInteger next = new AtomicInteger();
    ExecutorService senders = Executors.newFixedThreadPool(apiConcurrency);
    try {
      long start = System.nanoTime();
      List<Future<Long>> sent = new ArrayList<>();
      for (int t = 0; t < apiConcurrency; t++) {
        sent.add(
            senders.submit(
                () -> {
                  long accepted = 0;
                  for (int i = next.getAndIncrement();
                      i < bodies.size();
                      i = next.getAndIncrement()) {
                    HttpRequest request =
                        HttpRequest.newBuilder(endpoint)
                            .header("Content-Type", "application/json")
                            .header("Authorization", "Bearer " + key)
                            .timeout(Duration.ofSeconds(30))
                            .POST(HttpRequest.BodyPublishers.ofString(bodies.get(i)))
                            .build();
                    HttpResponse<String> response =
                        http.send(request, HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() != 200) {
                      throw new IllegalStateException(
                          "POST /v1/observations answered "
                              + response.statusCode()
                              + ": "
                              + response.body());
                    }
                    accepted += acceptedOf(response.body());
                  }
                  return accepted;
                }));
      }
      long accepted = 0;
      for (Future<Long> f : sent) {
        accepted += f.get();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      return verified(handle, "API", accepted, seconds);
    } finally {
      senders.shutdownNow();
    }
  }

  private static long acceptedOf(String body) {
    int at = body.indexOf("\"accepted\":");
    if (at < 0) {
      throw new IllegalStateException("unexpected answer: " + body);
    }
    int from = at + "\"accepted\":".length();
    int to = from;
    while (to < body.length() && Character.isDigit(body.charAt(to))) {
      to++;
    }
    return Long.parseLong(body.substring(from, to));
  }

  private static void empty(Handle handle) {
    // the per-unit aggregates the store path keeps (V7), and their totals (V8) where the schema
    // has them, start empty with the table
    boolean totals =
        handle
            .createQuery("SELECT to_regclass('unit_totals') IS NOT NULL")
            .mapTo(Boolean.class)
            .one();
    handle.execute(
        "TRUNCATE observations, unit_exposures, unit_sums, unit_latency"
            + (totals ? ", unit_totals" : ""));
  }

  /** Rows per second, after checking that every row arrived, and only once. */
  private static double verified(Handle handle, String path, long reported, double seconds) {
    long expected = (long) batches * batchSize;
    long stored = handle.createQuery("SELECT count(*) FROM observations").mapTo(Long.class).one();
    if (reported != expected || stored != expected) {
      throw new IllegalStateException(
          path + ": expected " + expected + " rows, reported " + reported + ", stored " + stored);
    }
    return expected / seconds;
  }

  // ---- data ----

  private static List<List<Observation>> observations(int batches, int size) {
    Random random = new Random(42);
    Instant base = Instant.now().minusSeconds(3600);
    List<List<Observation>> all = new ArrayList<>(batches);
    int n = 0;
    for (int b = 0; b < batches; b++) {
      List<Observation> batch = new ArrayList<>(size);
      for (int i = 0; i < size; i++, n++) {
        boolean canary = random.nextInt(100) < 5;
        batch.add(
            new Observation(
                "req-" + Long.toHexString(random.nextLong()) + "-" + n,
                PROMPT,
                canary ? 2 : 1,
                "session-" + random.nextInt(sessions),
                base.plusMillis(n),
                Math.round(200 + random.nextGaussian() * 40 + 1000) / 1.0,
                200 + random.nextInt(800),
                50 + random.nextInt(400),
                Math.round(random.nextDouble() * 1e6) / 1e9,
                random.nextInt(100) < 2,
                random.nextInt(1000) < 3,
                random.nextInt(10) == 0 ? (random.nextBoolean() ? 1 : -1) : null));
      }
      all.add(batch);
    }
    return all;
  }

  private static String csv(List<Observation> batch) {
    StringBuilder out = new StringBuilder(batch.size() * 128);
    for (Observation o : batch) {
      out.append(o.requestId())
          .append(',')
          .append(o.prompt())
          .append(',')
          .append(o.version())
          .append(',')
          .append(o.unit())
          .append(',')
          .append(o.observedAt())
          .append(',')
          .append(o.latencyMs())
          .append(',')
          .append(o.inputTokens())
          .append(',')
          .append(o.outputTokens())
          .append(',')
          .append(o.cost())
          .append(',')
          .append(o.error())
          .append(',')
          .append(o.safetyFlag())
          .append(',')
          .append(o.feedback() == null ? "" : o.feedback().toString())
          .append('\n');
    }
    return out.toString();
  }

  private static String json(List<Observation> batch) {
    StringBuilder out = new StringBuilder(batch.size() * 256).append("{\"observations\":[");
    for (int i = 0; i < batch.size(); i++) {
      Observation o = batch.get(i);
      if (i > 0) {
        out.append(',');
      }
      out.append("{\"requestId\":\"")
          .append(o.requestId())
          .append("\",\"prompt\":\"")
          .append(o.prompt())
          .append("\",\"version\":")
          .append(o.version())
          .append(",\"unit\":\"")
          .append(o.unit())
          .append("\",\"observedAt\":\"")
          .append(o.observedAt())
          .append("\",\"latencyMs\":")
          .append(o.latencyMs())
          .append(",\"inputTokens\":")
          .append(o.inputTokens())
          .append(",\"outputTokens\":")
          .append(o.outputTokens())
          .append(",\"cost\":")
          .append(o.cost())
          .append(",\"error\":")
          .append(o.error())
          .append(",\"safetyFlag\":")
          .append(o.safetyFlag());
      if (o.feedback() != null) {
        out.append(",\"feedback\":").append(o.feedback());
      }
      out.append('}');
    }
    return out.append("]}").toString();
  }

  /**
   * {@code storeVsCopy} is the median of the per-round ratios, each of two phases run back to back.
   */
  private static void report(double copy, double store, double storeVsCopy, double api) {
    System.out.println();
    System.out.print(
        new Table(
                "path (batches of " + batchSize + ")",
                "observations/s (median of " + rounds + ")",
                "vs raw COPY (median of rounds)",
                "target",
                "met")
            .row("raw COPY (CopyManager), 1 connection", fmt(copy, 0), "1.000 (baseline)", "", "")
            .row(
                "store: OutcomeDao.insertObservations, 1 connection",
                fmt(store, 0),
                fmt(storeVsCopy, 3),
                ">= 0.50x COPY",
                storeVsCopy >= 0.5 ? "yes" : "NO")
            .row(
                "API: POST /v1/observations, " + apiConcurrency + " concurrent",
                fmt(api, 0),
                fmt(api / copy, 3),
                ">= 20,000/s",
                api >= 20_000 ? "yes" : "NO")
            .render());
    System.out.println("load average at the end (1, 5, 15 min): " + Machine.load());
    System.out.printf(
        Locale.ROOT,
        "{\"api_obs_per_s\":%.0f,\"store_obs_per_s\":%.0f,\"copy_obs_per_s\":%.0f,\"store_vs_copy\":%.3f}%n",
        api,
        store,
        copy,
        storeVsCopy);
  }
}
