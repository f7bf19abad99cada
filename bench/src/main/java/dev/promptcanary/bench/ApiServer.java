package dev.promptcanary.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The packaged server ({@code java -jar promptcanary.jar server deployment/config/server.yml}) as a
 * child process, configured exactly as deployed, through the environment: the benchmarks measure
 * the artifact that ships, in its own JVM, not a test harness. Temporal is pointed at a closed
 * port: resolve and ingest must not need it.
 */
public final class ApiServer implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path log;

  private ApiServer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** The repository root: the run scripts export it; otherwise the working directory. */
  public static Path root() {
    String root = System.getenv("PROMPTCANARY_ROOT");
    return Path.of(root == null ? "." : root).toAbsolutePath().normalize();
  }

  public static ApiServer start(String jdbcUrl, String dbUser, List<String> jvmOptions)
      throws Exception {
    Path jar = root().resolve("devstack/target/promptcanary.jar");
    Path config = root().resolve("deployment/config/server.yml");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar + " is missing: build it (mvn -B -q install -DskipTests)");
    }
    int port = freePort();
    int adminPort = freePort();
    Path log = Files.createTempFile("promptcanary-bench-server-", ".log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    // Loopback only: the shipped config listens on every interface.
    command.add("-Ddw.server.applicationConnectors[0].bindHost=127.0.0.1");
    command.add("-Ddw.server.adminConnectors[0].bindHost=127.0.0.1");
    command.addAll(List.of("-jar", jar.toString(), "server", config.toString()));
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("PROMPTCANARY_DB_URL", jdbcUrl);
    builder.environment().put("PROMPTCANARY_DB_USER", dbUser);
    builder.environment().put("PROMPTCANARY_DB_PASSWORD", "");
    builder.environment().put("PROMPTCANARY_TEMPORAL_TARGET", "127.0.0.1:" + freePort());
    builder.environment().put("PROMPTCANARY_PORT", Integer.toString(port));
    builder.environment().put("PROMPTCANARY_ADMIN_PORT", Integer.toString(adminPort));
    Process process = builder.start();
    ApiServer server = new ApiServer(process, port, log);
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "bench-server-stop"));
    server.awaitReady(Duration.ofSeconds(90));
    return server;
  }

  private void awaitReady(Duration timeout) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "server exited with " + process.exitValue() + "; its log:\n" + tail());
      }
      try {
        HttpResponse<String> r =
            client.send(
                HttpRequest.newBuilder(URI.create(baseUrl() + "/v1/ping")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    stop();
    throw new IllegalStateException("server not ready within " + timeout + "; its log:\n" + tail());
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  public int port() {
    return port;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  public long pid() {
    return process.pid();
  }

  public Path log() {
    return log;
  }

  /** Stops the server and removes its log (a failed start prints the log's tail first). */
  @Override
  public void close() {
    stop();
    try {
      Files.deleteIfExists(log);
    } catch (IOException e) {
      // a leftover log in the temp directory is harmless
    }
  }

  private void stop() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
