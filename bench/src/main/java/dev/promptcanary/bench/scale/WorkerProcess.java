package dev.promptcanary.bench.scale;

import dev.promptcanary.bench.ApiServer;
import dev.promptcanary.bench.rollback.DevStack;
import dev.promptcanary.testkit.JarProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one Temporal worker of the benchmark: the packaged jar's {@code worker
 * deployment/config/worker.yml} against the dev stack's PostgreSQL and Temporal, as deployed, with
 * its garbage collections logged to a file so the heap after each is known.
 */
final class WorkerProcess implements AutoCloseable {
  /**
   * A line of {@code -Xlog:gc}: "[1234ms][info][gc] GC(7) Pause Young ... 45M->12M(256M) 3.1ms".
   */
  private static final Pattern GC =
      Pattern.compile(
          "^\\[(\\d+)ms\\].*GC\\(\\d+\\) (Pause [^0-9]*?) (\\d+)M->(\\d+)M\\((\\d+)M\\)");

  private final JarProcess process;
  private final int adminPort;
  private final Path gcLog;
  private final long startedAtMillis;
  private final HttpClient http = HttpClient.newHttpClient();

  /** One collection: when (epoch millis), what kind, the heap after it and the heap's size, MB. */
  record Collection(long atMillis, String kind, long afterMb, long committedMb) {}

  private WorkerProcess(JarProcess process, int adminPort, Path gcLog, long startedAtMillis) {
    this.process = process;
    this.adminPort = adminPort;
    this.gcLog = gcLog;
    this.startedAtMillis = startedAtMillis;
  }

  static WorkerProcess start(DevStack stack, String heap) throws Exception {
    int adminPort = ApiServer.freePort();
    Path gcLog = stack.work().resolve("worker-gc.log");
    List<String> jvm =
        new ArrayList<>(List.of("-Xmx" + heap, "-Xlog:gc:file=" + gcLog + ":uptimemillis"));
    // --worker-jvm "-XX:StartFlightRecording=..." and the like, to profile the worker
    String extra = System.getProperty("bench.worker-jvm", "").strip();
    if (!extra.isEmpty()) {
      jvm.addAll(List.of(extra.split("\\s+")));
    }
    JarProcess process =
        JarProcess.builder(stack.jar())
            .name("worker")
            .jvmOptions(jvm)
            .args("worker", ApiServer.root().resolve("deployment/config/worker.yml").toString())
            .env(
                Map.of(
                    "PROMPTCANARY_DB_URL",
                    stack.jdbcUrl(),
                    "PROMPTCANARY_DB_USER",
                    "postgres",
                    "PROMPTCANARY_MIGRATE_ON_START",
                    "false",
                    "PROMPTCANARY_TEMPORAL_TARGET",
                    "127.0.0.1:" + stack.temporalPort(),
                    "PROMPTCANARY_WORKER_ADMIN_PORT",
                    Integer.toString(adminPort)))
            .directory(stack.work())
            .log(stack.work().resolve("worker.log"))
            .start();
    long started =
        ProcessHandle.of(process.pid())
            .flatMap(p -> p.info().startInstant())
            .map(java.time.Instant::toEpochMilli)
            .orElse(System.currentTimeMillis());
    WorkerProcess worker = new WorkerProcess(process, adminPort, gcLog, started);
    // a bench stopped with SIGTERM or Ctrl-C stops its worker too, as DevStack does dev
    Runtime.getRuntime().addShutdownHook(new Thread(worker::close, "bench-worker-stop"));
    try {
      // the admin port opens once every managed object, the Temporal worker included, started
      process.waitForHttp("http://127.0.0.1:" + adminPort + "/ping", Duration.ofSeconds(180));
    } catch (RuntimeException notUp) {
      worker.close();
      throw notUp;
    }
    return worker;
  }

  long pid() {
    return process.pid();
  }

  /** The SDK's counters on the worker's Prometheus page now. */
  WorkerMetrics metrics() {
    return WorkerMetrics.read(adminPort);
  }

  double cpuSeconds() {
    return ProcessMeter.cpuSeconds(process.pid());
  }

  /**
   * A full collection now (Dropwizard's {@code gc} task on the admin port), then the heap it left,
   * MB.
   */
  long heapAfterFullGcMb() throws Exception {
    int before = collections().size();
    HttpResponse<String> reply =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/tasks/gc"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(60))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (reply.statusCode() != 200) {
      throw new IllegalStateException("the worker's gc task answered " + reply.statusCode());
    }
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      List<Collection> all = collections();
      for (int i = all.size() - 1; i >= before; i--) {
        if (all.get(i).kind().startsWith("Pause Full")) {
          return all.get(i).afterMb();
        }
      }
      Thread.sleep(200);
    }
    return -1;
  }

  /** Every collection logged so far. */
  List<Collection> collections() throws Exception {
    List<Collection> out = new ArrayList<>();
    if (!Files.exists(gcLog)) {
      return out;
    }
    for (String line : Files.readAllLines(gcLog)) {
      Matcher m = GC.matcher(line);
      if (m.find()) {
        out.add(
            new Collection(
                startedAtMillis + Long.parseLong(m.group(1)),
                m.group(2).trim(),
                Long.parseLong(m.group(4)),
                Long.parseLong(m.group(5))));
      }
    }
    return out;
  }

  boolean alive() {
    return process.isAlive();
  }

  String tail() {
    return process.logTail(40);
  }

  @Override
  public void close() {
    process.stop();
  }
}
