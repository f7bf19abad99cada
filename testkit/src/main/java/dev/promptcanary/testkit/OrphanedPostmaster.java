package dev.promptcanary.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The postmaster a process started on a data directory and died without stopping (a SIGKILLed
 * {@code dev}): PostgreSQL outlives it, and the next start on that directory fails on the lock file
 * {@code postmaster.pid}. Before a persistent start it is stopped, but only when the lock file's
 * pid is a live {@code postgres} process whose data directory is this one: never anyone else's
 * server. A lock file whose pid is dead is left to PostgreSQL, which removes it itself; one whose
 * pid is alive but positively another program (the pid reused) is stale and removed.
 */
final class OrphanedPostmaster {
  private static final Logger LOG = LoggerFactory.getLogger(OrphanedPostmaster.class);

  /** What the lock file's pid turned out to be. */
  enum Finding {
    NO_LOCK_FILE,
    /** The pid is not running: PostgreSQL clears such a lock file itself. */
    DEAD,
    /** A postgres process on this data directory: stopped. */
    STOPPED,
    /** A live process that is not a postmaster of this data directory: the lock file removed. */
    STALE_LOCK_REMOVED
  }

  private static final Duration FAST_SHUTDOWN = Duration.ofSeconds(30);
  private static final Duration IMMEDIATE_SHUTDOWN = Duration.ofSeconds(10);

  private OrphanedPostmaster() {}

  /**
   * Stops the postmaster left running on {@code dataDirectory}, if there is one; see the class
   * comment for what is touched.
   *
   * @throws IllegalStateException when the lock file's pid is alive but cannot be identified (then
   *     nothing is touched: it might be a server started by another user), or does not stop
   */
  static Finding stopIfOurs(Path dataDirectory) throws IOException {
    Path lockFile = dataDirectory.resolve("postmaster.pid");
    List<String> lines;
    try {
      lines = Files.readAllLines(lockFile);
    } catch (NoSuchFileException e) {
      return Finding.NO_LOCK_FILE;
    }
    if (lines.isEmpty() || !lines.get(0).strip().matches("\\d+")) {
      // PostgreSQL writes the file whole before anything else; an empty one is from a crash
      // during start-up, which PostgreSQL treats as stale too.
      return Finding.DEAD;
    }
    long pid = Long.parseLong(lines.get(0).strip());
    Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    if (process.isEmpty()) {
      return Finding.DEAD;
    }
    Path ours = dataDirectory.toRealPath();
    switch (identify(process.get(), ours)) {
      case OUR_POSTMASTER -> {
        LOG.warn(
            "embedded PostgreSQL: stopping the postmaster (pid {}) left running on {} by a process"
                + " that died without stopping it",
            pid,
            ours);
        stop(process.get());
        return Finding.STOPPED;
      }
      case SOMETHING_ELSE -> {
        LOG.warn(
            "embedded PostgreSQL: {} names pid {}, which is not a postmaster of this data"
                + " directory (the pid was reused); removing the stale lock file",
            lockFile,
            pid);
        Files.deleteIfExists(lockFile);
        return Finding.STALE_LOCK_REMOVED;
      }
      default ->
          throw new IllegalStateException(
              lockFile
                  + " names pid "
                  + pid
                  + ", which is running but cannot be identified (another user's process?);"
                  + " stop it or remove the file if it is not a postmaster on "
                  + ours);
    }
  }

  private enum Identity {
    OUR_POSTMASTER,
    SOMETHING_ELSE,
    UNKNOWN
  }

  /**
   * A postmaster runs the {@code postgres} binary with its data directory as working directory
   * (PostgreSQL changes into it at start-up), which Linux shows as {@code /proc/PID/cwd}. Elsewhere
   * the lock file's own data-directory line and the binary's name have to do.
   */
  private static Identity identify(ProcessHandle process, Path ours) {
    Optional<String> command = process.info().command();
    if (command.isEmpty()) {
      return Identity.UNKNOWN;
    }
    if (!Path.of(command.get()).getFileName().toString().equals("postgres")) {
      return Identity.SOMETHING_ELSE;
    }
    Path cwd = Path.of("/proc", Long.toString(process.pid()), "cwd");
    if (Files.isDirectory(Path.of("/proc", "self"))) {
      try {
        return Files.readSymbolicLink(cwd).equals(ours)
            ? Identity.OUR_POSTMASTER
            : Identity.SOMETHING_ELSE;
      } catch (IOException | SecurityException e) {
        return Identity.UNKNOWN;
      }
    }
    try {
      List<String> lines = Files.readAllLines(ours.resolve("postmaster.pid"));
      return lines.size() > 1 && Path.of(lines.get(1).strip()).toRealPath().equals(ours)
          ? Identity.OUR_POSTMASTER
          : Identity.SOMETHING_ELSE;
    } catch (IOException e) {
      return Identity.UNKNOWN;
    }
  }

  /**
   * SIGINT is PostgreSQL's fast shutdown (clients disconnected, a clean checkpoint); SIGQUIT, its
   * immediate shutdown, only if that does not end within 30 s (crash recovery at the next start).
   */
  private static void stop(ProcessHandle postmaster) throws IOException {
    if (signalAndWait(postmaster, "INT", FAST_SHUTDOWN)
        || signalAndWait(postmaster, "QUIT", IMMEDIATE_SHUTDOWN)) {
      return;
    }
    throw new IllegalStateException(
        "the orphaned postmaster (pid " + postmaster.pid() + ") did not stop");
  }

  private static boolean signalAndWait(ProcessHandle process, String signal, Duration wait)
      throws IOException {
    try {
      new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor();
      long deadline = System.nanoTime() + wait.toNanos();
      while (process.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while stopping pid " + process.pid(), e);
    }
    return !process.isAlive();
  }
}
