package dev.promptcanary.testkit;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A packaged jar run as a child process, as a user runs it: {@code java [JVM options] -jar JAR
 * [args]} on the JVM of the running process, with extra environment variables, its output (stdout
 * and stderr) in a log file. The one way the process-level tests and the benchmarks launch {@code
 * promptcanary.jar}.
 *
 * <p>{@link #close()} is {@link #stop()}: SIGTERM, then SIGKILL after a grace period. Uses
 * Awaitility, which callers bring themselves (an optional dependency of this module, so the shipped
 * jar does not carry it).
 */
public final class JarProcess implements AutoCloseable {
  /** How long a SIGTERMed process gets to run its shutdown hooks before SIGKILL. */
  public static final Duration GRACE = Duration.ofSeconds(30);

  private static final Duration KILL_WAIT = Duration.ofSeconds(30);
  private static final Duration POLL = Duration.ofMillis(250);
  private static final int TAIL_LINES = 60;

  private final String name;
  private final Process process;
  private final Path log;

  private JarProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  public static Builder builder(Path jar) {
    return new Builder(jar);
  }

  /** What to run and where its output goes; {@link #start()} launches it. */
  public static final class Builder {
    private final Path jar;
    private String name = "jar";
    private final List<String> jvmOptions = new ArrayList<>();
    private final List<String> args = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private Path directory;
    private Path log;

    private Builder(Path jar) {
      this.jar = jar;
    }

    /**
     * The name failure messages use; also the log file's prefix when no {@link #log(Path)} is
     * given.
     */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** Options before {@code -jar}: {@code -Xmx384m}, {@code -Dkey=value}. */
    public Builder jvmOptions(List<String> options) {
      jvmOptions.addAll(options);
      return this;
    }

    public Builder jvmOptions(String... options) {
      return jvmOptions(List.of(options));
    }

    /** Arguments after the jar: the command and its options. */
    public Builder args(List<String> arguments) {
      args.addAll(arguments);
      return this;
    }

    public Builder args(String... arguments) {
      return args(List.of(arguments));
    }

    /** Added to (and overriding) the environment this process runs with. */
    public Builder env(Map<String, String> variables) {
      env.putAll(variables);
      return this;
    }

    public Builder env(String variable, String value) {
      env.put(variable, value);
      return this;
    }

    /** The child's working directory; this process's when not given. */
    public Builder directory(Path workingDirectory) {
      this.directory = workingDirectory;
      return this;
    }

    /** The file the child's output goes to; a new temporary file when not given. */
    public Builder log(Path file) {
      this.log = file;
      return this;
    }

    public JarProcess start() throws IOException {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(jvmOptions);
      command.add("-jar");
      command.add(jar.toString());
      command.addAll(args);
      Path output = log != null ? log : Files.createTempFile("promptcanary-" + name + "-", ".log");
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
      if (directory != null) {
        builder.directory(directory.toFile());
      }
      builder.environment().putAll(env);
      return new JarProcess(name, builder.start(), output);
    }
  }

  /**
   * Waits until a GET of {@code url} answers 200. Fails with the log's tail if the process exits
   * first or {@code timeout} passes.
   */
  public JarProcess waitForHttp(String url, Duration timeout) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest ping =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build();
    try {
      await(name + " answering " + url)
          .atMost(timeout)
          .pollDelay(Duration.ZERO)
          .pollInterval(POLL)
          .pollInSameThread()
          .ignoreExceptionsInstanceOf(IOException.class) // not listening yet
          .until(
              () -> {
                if (!process.isAlive()) {
                  throw new IllegalStateException(
                      name
                          + " exited with "
                          + process.exitValue()
                          + " before "
                          + url
                          + " answered; its log ends with:\n"
                          + logTail(TAIL_LINES));
                }
                return http.send(ping, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
              });
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException(
          name
              + ": "
              + url
              + " did not answer 200 within "
              + timeout.toSeconds()
              + " s; its log ends with:\n"
              + logTail(TAIL_LINES),
          e);
    }
    return this;
  }

  /** Waits up to {@code timeout} for the process to exit by itself; true if it did. */
  public boolean waitForExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * SIGKILL, then waits for the process to die; returns its exit status (137 when the signal killed
   * it).
   */
  public int kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(
          name + " (pid " + pid() + ") still alive " + KILL_WAIT.toSeconds() + " s after SIGKILL");
    }
    return process.exitValue();
  }

  /** {@link #stop(Duration)} with the default {@link #GRACE}. */
  public void stop() {
    stop(GRACE);
  }

  /**
   * SIGTERM, so the process runs its shutdown hooks; SIGKILL if it is still running after {@code
   * grace}. An interrupted wait SIGKILLs at once and keeps the thread's interrupt status.
   */
  public void stop(Duration grace) {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
  }

  /** The last {@code lines} lines of the output, for failure messages. */
  public String logTail(int lines) {
    return logTail(lines, line -> true);
  }

  /**
   * The last {@code lines} lines of the output that {@code keep} accepts (e.g. without the request
   * log).
   */
  public String logTail(int lines, Predicate<String> keep) {
    try {
      List<String> kept = Files.readAllLines(log).stream().filter(keep).toList();
      return String.join("\n", kept.subList(Math.max(0, kept.size() - lines), kept.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  public String name() {
    return name;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The exit status; only once the process has exited. */
  public int exitValue() {
    return process.exitValue();
  }

  public Path log() {
    return log;
  }
}
