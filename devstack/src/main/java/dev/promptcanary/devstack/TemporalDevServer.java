package dev.promptcanary.devstack;

import dev.promptcanary.worker.SearchAttributes;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Temporal CLI's dev server ({@code temporal server start-dev}) as the embedded Temporal: a
 * real Temporal server with Temporal UI, its state in a SQLite file (or in memory), the rollout
 * search attributes registered at its start from {@link SearchAttributes#ROLLOUT_ATTRIBUTES}.
 *
 * <p>It runs under a small {@code sh} wrapper that stops it when its standard input closes: the JVM
 * holds the other end, so the server goes with {@code dev} however {@code dev} ends, SIGKILL
 * included, and the next {@code dev} finds its port and database file free.
 */
final class TemporalDevServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TemporalDevServer.class);

  /** Where {@code scripts/install-temporal-cli} puts the CLI by default (Go's own bin). */
  static final Path GO_BIN_CLI = Path.of(System.getProperty("user.home"), "go", "bin", "temporal");

  /**
   * The SQLite file's pragmas ({@code --sqlite-pragma}): a write-ahead journal, where SQLite's
   * default (a rollback journal) writes each changed page twice and creates and deletes the journal
   * file at every commit; {@code synchronous} FULL, so the log is still synced at each commit and
   * nothing acknowledged is lost. Measured in docs/benchmarks.md ("many-rollouts", the dev server's
   * SQLite journal).
   */
  static final List<String> SQLITE_PRAGMAS = List.of("journal_mode=wal", "synchronous=full");

  private static final Duration READY = Duration.ofSeconds(90);
  private static final Duration PORT_FREED = Duration.ofSeconds(30);

  /**
   * Stops the server (SIGTERM, then waits for it) once stdin reaches its end, i.e. once the JVM
   * closed it or died; a SIGTERM to the wrapper does the same.
   */
  private static final String WRAPPER =
      """
      "$0" server start-dev "$@" </dev/null &
      server=$!
      trap 'kill -TERM "$server" 2>/dev/null; wait "$server"; exit' TERM INT HUP
      while read -r _; do :; done
      kill -TERM "$server" 2>/dev/null
      wait "$server"
      """;

  /** How to start it; {@code database} null keeps the state in memory. */
  record Settings(
      int port, int uiPort, boolean headless, Path database, String namespace, Path log) {}

  private final Process wrapper;
  private final Settings settings;

  private TemporalDevServer(Process wrapper, Settings settings) {
    this.wrapper = wrapper;
    this.settings = settings;
  }

  /**
   * The CLI to run: {@code configured} when given (it must be executable), else {@code temporal} on
   * the PATH, else {@link #GO_BIN_CLI}; empty when there is none.
   */
  static Optional<Path> findCli(String configured) {
    if (configured != null && !configured.isBlank()) {
      Path cli = Path.of(configured.strip());
      if (!Files.isExecutable(cli)) {
        throw new IllegalArgumentException(
            "embedded.temporalCli (--temporal-cli): " + cli + " is not an executable file");
      }
      return Optional.of(cli);
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(java.io.File.pathSeparator)) {
        if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "temporal"))) {
          return Optional.of(Path.of(dir, "temporal"));
        }
      }
    }
    return Files.isExecutable(GO_BIN_CLI) ? Optional.of(GO_BIN_CLI) : Optional.empty();
  }

  /** Starts the dev server and waits until its frontend answers for the namespace. */
  static TemporalDevServer start(Path cli, Settings settings) throws IOException {
    awaitPortFree(settings.port(), "Temporal gRPC");
    if (!settings.headless()) {
      awaitPortFree(settings.uiPort(), "Temporal UI");
    }
    List<String> command = new ArrayList<>(List.of("sh", "-c", WRAPPER, cli.toString()));
    command.addAll(List.of("--ip", "127.0.0.1", "--port", String.valueOf(settings.port())));
    if (settings.headless()) {
      command.add("--headless");
    } else {
      command.addAll(List.of("--ui-port", String.valueOf(settings.uiPort())));
    }
    if (settings.database() != null) {
      Files.createDirectories(settings.database().toAbsolutePath().getParent());
      command.addAll(List.of("--db-filename", settings.database().toString()));
      for (String pragma : SQLITE_PRAGMAS) {
        command.addAll(List.of("--sqlite-pragma", pragma));
      }
    }
    if (!settings.namespace().equals("default")) {
      command.addAll(List.of("--namespace", settings.namespace()));
    }
    for (Map.Entry<String, IndexedValueType> attribute :
        SearchAttributes.ROLLOUT_ATTRIBUTES.entrySet()) {
      command.addAll(
          List.of("--search-attribute", attribute.getKey() + "=" + cliType(attribute.getValue())));
    }
    Process wrapper =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(settings.log().toFile()))
            .start();
    TemporalDevServer server = new TemporalDevServer(wrapper, settings);
    try {
      server.awaitReady();
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  /** The CLI's name of a search attribute type ({@code --search-attribute NAME=TYPE}). */
  static String cliType(IndexedValueType type) {
    return switch (type) {
      case INDEXED_VALUE_TYPE_TEXT -> "Text";
      case INDEXED_VALUE_TYPE_KEYWORD -> "Keyword";
      case INDEXED_VALUE_TYPE_INT -> "Int";
      case INDEXED_VALUE_TYPE_DOUBLE -> "Double";
      case INDEXED_VALUE_TYPE_BOOL -> "Bool";
      case INDEXED_VALUE_TYPE_DATETIME -> "Datetime";
      case INDEXED_VALUE_TYPE_KEYWORD_LIST -> "KeywordList";
      default -> throw new IllegalArgumentException("no CLI type for " + type);
    };
  }

  /** Temporal UI's address, or empty when headless. */
  String uiUrl() {
    return settings.headless() ? "" : "http://localhost:" + settings.uiPort();
  }

  private void awaitReady() {
    WorkflowServiceStubs stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder()
                .setTarget("127.0.0.1:" + settings.port())
                .build());
    try {
      long deadline = System.nanoTime() + READY.toNanos();
      RuntimeException last = null;
      while (System.nanoTime() < deadline) {
        if (!wrapper.isAlive() || (wrapper.children().findAny().isEmpty() && uptimeOver(2))) {
          throw new IllegalStateException(
              "the Temporal dev server exited at start-up; its log, "
                  + settings.log()
                  + ":\n"
                  + tail(30));
        }
        try {
          stubs
              .blockingStub()
              .withDeadlineAfter(2, TimeUnit.SECONDS)
              .describeNamespace(
                  DescribeNamespaceRequest.newBuilder().setNamespace(settings.namespace()).build());
          return;
        } catch (RuntimeException e) {
          last = e;
        }
        sleep(Duration.ofMillis(250));
      }
      throw new IllegalStateException(
          "the Temporal dev server did not answer within "
              + READY.toSeconds()
              + " s ("
              + (last == null ? "" : last.getMessage())
              + "); its log:\n"
              + tail(30),
          last);
    } finally {
      stubs.shutdownNow();
    }
  }

  private boolean uptimeOver(int seconds) {
    return wrapper
        .info()
        .startInstant()
        .map(started -> started.plusSeconds(seconds).isBefore(java.time.Instant.now()))
        .orElse(true);
  }

  /**
   * A {@code dev} that was just killed stops its dev server as it dies, which takes a moment; its
   * successor waits for the port rather than failing on it.
   */
  private static void awaitPortFree(int port, String what) {
    long deadline = System.nanoTime() + PORT_FREED.toNanos();
    while (true) {
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return;
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw new UncheckedIOException(
              what + " port " + port + " is in use (another Temporal server?)", e);
        }
        sleep(Duration.ofMillis(250));
      }
    }
  }

  private String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(settings.log());
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Closes the wrapper's stdin (it stops the server and waits), then makes sure both are gone. */
  @Override
  public void close() {
    List<ProcessHandle> server = wrapper.children().toList();
    try {
      wrapper.getOutputStream().close();
      if (!wrapper.waitFor(20, TimeUnit.SECONDS)) {
        LOG.warn("the Temporal dev server did not stop within 20 s; killing it");
      }
    } catch (IOException e) {
      LOG.warn("stopping the Temporal dev server: {}", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    server.forEach(ProcessHandle::destroyForcibly);
    wrapper.destroyForcibly();
  }
}
