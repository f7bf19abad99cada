package dev.promptcanary.devstack;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * A terminal for a test: one detached tmux session on the test's own tmux server (its socket in the
 * test's directory, so no one else's sessions are touched), with a pane big enough for a frame,
 * read back with {@code capture-pane}, the scroll-back included. Closing it kills that server.
 */
final class Tmux implements AutoCloseable {
  private final Path socket;
  private final String session;

  private Tmux(Path socket, String session) {
    this.socket = socket;
    this.session = session;
  }

  static boolean available() {
    try {
      Process p = new ProcessBuilder("tmux", "-V").redirectErrorStream(true).start();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  static Tmux start(Path work, String session) throws Exception {
    Tmux tmux = new Tmux(work.resolve("tmux.sock"), session);
    tmux.tmux("new-session", "-d", "-s", session, "-x", "220", "-y", "60");
    return tmux;
  }

  /** Types {@code command} into the pane's shell and presses Enter. */
  void run(String command) throws Exception {
    tmux("send-keys", "-t", session, command, "Enter");
  }

  /** What the pane shows, its scroll-back included, without trailing blank lines. */
  String capture() throws Exception {
    return tmux("capture-pane", "-p", "-S", "-", "-t", session).stripTrailing();
  }

  /** Captures the pane until {@code condition} holds (60 s at most); that capture. */
  String waitFor(String what, Predicate<String> condition) {
    AtomicReference<String> last = new AtomicReference<>("");
    try {
      return await(what)
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(250))
          .until(
              () -> {
                last.set(capture());
                return last.get();
              },
              condition);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(what + " not seen; the pane:\n" + last.get(), e);
    }
  }

  private String tmux(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("tmux", "-S", socket.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(command + " failed: " + out);
    }
    return out;
  }

  @Override
  public void close() throws Exception {
    tmux("kill-server");
  }
}
