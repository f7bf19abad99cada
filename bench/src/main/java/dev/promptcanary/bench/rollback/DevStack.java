package dev.promptcanary.bench.rollback;

import dev.promptcanary.api.auth.Role;
import dev.promptcanary.bench.ApiServer;
import dev.promptcanary.devstack.DevKeys;
import dev.promptcanary.testkit.JarProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The packaged jar's {@code dev} command as a child process, as a user runs it: API, worker,
 * embedded Temporal and embedded PostgreSQL in one JVM, on free loopback ports, with its data in a
 * temporary directory that is deleted on close. Nothing of the measured path is replaced by a test
 * harness.
 */
public final class DevStack implements AutoCloseable {
  private final JarProcess process;
  private final int port;
  private final int dbPort;
  private final int temporalPort;
  private final Path work;
  private final Path jar;

  private DevStack(
      JarProcess process, int port, int dbPort, int temporalPort, Path work, Path jar) {
    this.process = process;
    this.port = port;
    this.dbPort = dbPort;
    this.temporalPort = temporalPort;
    this.work = work;
    this.jar = jar;
  }

  public static DevStack start(List<String> jvmOptions) throws Exception {
    return start(jvmOptions, List.of());
  }

  /**
   * {@code dev} with {@code devOptions} added to its command line (e.g. {@code --no-worker}, {@code
   * --temporal-server cli}).
   */
  public static DevStack start(List<String> jvmOptions, List<String> devOptions) throws Exception {
    Path work = Files.createTempDirectory("promptcanary-bench-rollback-");
    Path jar = copyOfTheJar(work);
    int port = ApiServer.freePort();
    int dbPort = ApiServer.freePort();
    int temporalPort = ApiServer.freePort();
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "dev",
                "--port",
                Integer.toString(port),
                "--admin-port",
                Integer.toString(ApiServer.freePort()),
                "--temporal-port",
                Integer.toString(temporalPort),
                "--db-port",
                Integer.toString(dbPort),
                "--data-dir",
                work.resolve("pg").toString()));
    args.addAll(devOptions);
    JarProcess process =
        JarProcess.builder(jar)
            .name("dev")
            .jvmOptions(jvmOptions)
            .args(args)
            .directory(work)
            .log(work.resolve("dev.log"))
            .start();
    DevStack stack = new DevStack(process, port, dbPort, temporalPort, work, jar);
    Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "bench-dev-stop"));
    try {
      process.waitForHttp(stack.baseUrl() + "/v1/ping", Duration.ofSeconds(180));
    } catch (RuntimeException notReady) {
      stack.close();
      throw notReady;
    }
    return stack;
  }

  /**
   * A private copy of the packaged jar: a build in the same tree (another benchmark, a colleague)
   * rewrites devstack/target while this one runs, and a JVM whose jar is replaced underneath it
   * fails at its next class load. Waits a while for a jar being repackaged at this moment.
   */
  private static Path copyOfTheJar(Path work) throws Exception {
    Path jar = ApiServer.root().resolve("devstack/target/promptcanary.jar");
    Path copy = work.resolve("promptcanary.jar");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (true) {
      try {
        if (Files.isRegularFile(jar)) {
          long before = Files.size(jar);
          Thread.sleep(1000); // not in the middle of being written
          if (Files.size(jar) == before) {
            Files.copy(jar, copy);
            try (java.util.jar.JarFile check = new java.util.jar.JarFile(copy.toFile())) {
              if (check.getManifest() != null) {
                return copy;
              }
            }
          }
        }
      } catch (IOException beingRewritten) {
        // try again
      }
      Files.deleteIfExists(copy);
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            jar + " is missing: build it (mvn -B -q install -DskipTests)");
      }
      Thread.sleep(2000);
    }
  }

  /** The private copy of the jar this stack runs, for more processes of the same build. */
  public Path jar() {
    return jar;
  }

  /** The stack's temporary directory (deleted on close). */
  public Path work() {
    return work;
  }

  /** The embedded Temporal's gRPC port on 127.0.0.1. */
  public int temporalPort() {
    return temporalPort;
  }

  /** The {@code dev} process (API, and the Java test server when that is the embedded Temporal). */
  public JarProcess process() {
    return process;
  }

  public String tail() {
    return process.logTail(60);
  }

  /** The admin key {@code dev} wrote into its data directory. */
  public String adminKey() {
    return key(Role.ADMIN);
  }

  /** The key of {@code role} that {@code dev} wrote into its data directory. */
  public String key(Role role) {
    try {
      return DevKeys.read(work.resolve("pg")).get(role);
    } catch (IOException e) {
      throw new UncheckedIOException("dev wrote no API keys: " + e.getMessage(), e);
    }
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  /**
   * The embedded PostgreSQL (user postgres, no password), for the "without push" measurement only.
   */
  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + dbPort + "/promptcanary";
  }

  boolean alive() {
    return process.isAlive();
  }

  @Override
  public synchronized void close() {
    process.stop(); // SIGTERM first: dev stops the server, then Temporal and PostgreSQL in its
    // shutdown hooks
    deleteQuietly(work);
  }

  private static void deleteQuietly(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
              Files.deleteIfExists(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      System.err.println("could not delete " + dir + ": " + e.getMessage());
    }
  }
}
