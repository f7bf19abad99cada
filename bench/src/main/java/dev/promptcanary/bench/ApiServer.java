package dev.promptcanary.bench;

import dev.promptcanary.api.auth.ApiKeys;
import dev.promptcanary.api.config.AuthFactory;
import dev.promptcanary.testkit.JarProcess;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The packaged server ({@code java -jar promptcanary.jar server deployment/config/server.yml}) as a
 * child process, configured exactly as deployed, through the environment: the benchmarks measure
 * the artifact that ships, in its own JVM, not a test harness. Temporal is pointed at a closed
 * port: resolve and ingest must not need it.
 */
public final class ApiServer implements AutoCloseable {
  private static final Duration GRACE = Duration.ofSeconds(20);
  private final JarProcess process;
  private final int port;
  private final String adminKey;

  private ApiServer(JarProcess process, int port, String adminKey) {
    this.process = process;
    this.port = port;
    this.adminKey = adminKey;
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
    // The first admin key, from the environment, as a fresh deployment gets it.
    String adminKey = ApiKeys.newSecret();
    JarProcess process =
        JarProcess.builder(jar)
            .name("server")
            .log(Files.createTempFile("promptcanary-bench-server-", ".log"))
            .jvmOptions(jvmOptions)
            // Loopback only: the shipped config listens on every interface.
            .jvmOptions(
                "-Ddw.server.applicationConnectors[0].bindHost=127.0.0.1",
                "-Ddw.server.adminConnectors[0].bindHost=127.0.0.1")
            .args("server", config.toString())
            .env("PROMPTCANARY_DB_URL", jdbcUrl)
            .env("PROMPTCANARY_DB_USER", dbUser)
            .env("PROMPTCANARY_DB_PASSWORD", "")
            .env("PROMPTCANARY_TEMPORAL_TARGET", "127.0.0.1:" + freePort())
            .env("PROMPTCANARY_PORT", Integer.toString(port))
            .env("PROMPTCANARY_ADMIN_PORT", Integer.toString(adminPort))
            .env(AuthFactory.BOOTSTRAP_ENV, adminKey)
            .start();
    ApiServer server = new ApiServer(process, port, adminKey);
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "bench-server-stop"));
    try {
      process.waitForHttp(server.baseUrl() + "/v1/ping", Duration.ofSeconds(90));
    } catch (RuntimeException notReady) {
      process.stop(GRACE);
      throw notReady;
    }
    return server;
  }

  /** The admin key the server was bootstrapped with. */
  public String adminKey() {
    return adminKey;
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
    return process.log();
  }

  /** Stops the server and removes its log (a failed start prints the log's tail first). */
  @Override
  public void close() {
    process.stop(GRACE);
    try {
      Files.deleteIfExists(process.log());
    } catch (IOException e) {
      // a leftover log in the temp directory is harmless
    }
  }

  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
