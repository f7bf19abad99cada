package dev.promptcanary.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A persistent embedded PostgreSQL restarts on its data directory after the process that started it
 * was SIGKILLed, stopping the postmaster that process left behind, and never touches a process that
 * is not a postmaster of that directory.
 */
class OrphanedPostmasterTest {
  @TempDir Path work;

  @Test
  void aPersistentServerIsDurableAndATemporaryOneSaysItIsNot() throws Exception {
    try (EmbeddedPostgresServer persistent =
        EmbeddedPostgresServer.startPersistent(work.resolve("pg"), 0)) {
      assertThat(persistent.setting("fsync")).isEqualTo("on");
      assertThat(persistent.setting("synchronous_commit")).isEqualTo("on");
    }
    try (EmbeddedPostgresServer temporary = EmbeddedPostgresServer.startTemporary()) {
      assertThat(temporary.setting("fsync")).isEqualTo("off");
      assertThat(temporary.setting("synchronous_commit")).isEqualTo("off");
    }
  }

  /**
   * A child JVM starts the server, commits a row and is SIGKILLed: its postmaster lives on. The
   * next start stops that postmaster and comes up on the same directory with the row.
   */
  @Test
  void thePostmasterOfAKilledProcessIsStoppedAndTheNextStartKeepsTheData() throws Exception {
    Path dataDirectory = work.resolve("pg");
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                StartAndWrite.class.getName(),
                dataDirectory.toString())
            .redirectErrorStream(true)
            .start();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      StringBuilder printed = new StringBuilder();
      while ((line = out.readLine()) != null && !line.equals(StartAndWrite.READY)) {
        printed.append(line).append('\n');
      }
      assertThat(line).as("the child's output:\n" + printed).isEqualTo(StartAndWrite.READY);
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    long orphan = Long.parseLong(lockFileLines(dataDirectory).get(0));
    assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive)).contains(true);

    try (EmbeddedPostgresServer restarted =
        EmbeddedPostgresServer.startPersistent(dataDirectory, 0)) {
      assertThat(ProcessHandle.of(orphan).filter(ProcessHandle::isAlive)).isEmpty();
      assertThat(Long.parseLong(lockFileLines(dataDirectory).get(0))).isNotEqualTo(orphan);
      try (Connection c =
              DriverManager.getConnection(restarted.jdbcUrl("kept"), restarted.user(), "");
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT note FROM acknowledged")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("written before the kill");
      }
    }
  }

  @Test
  void aLockFileNamingALiveProcessThatIsNotPostgresIsRemovedAndTheProcessLeftAlone()
      throws Exception {
    Process sleeper = new ProcessBuilder("sleep", "120").start();
    try {
      Path dataDirectory = Files.createDirectories(work.resolve("pg"));
      writeLockFile(dataDirectory, sleeper.pid(), dataDirectory);

      assertThat(OrphanedPostmaster.stopIfOurs(dataDirectory))
          .isEqualTo(OrphanedPostmaster.Finding.STALE_LOCK_REMOVED);
      assertThat(sleeper.isAlive()).isTrue();
      assertThat(dataDirectory.resolve("postmaster.pid")).doesNotExist();
    } finally {
      sleeper.destroyForcibly();
    }
  }

  @Test
  void anotherDataDirectorysPostmasterIsNeverStopped() throws Exception {
    Path theirs = work.resolve("theirs");
    try (EmbeddedPostgresServer other = EmbeddedPostgresServer.startPersistent(theirs, 0)) {
      Path ours = Files.createDirectories(work.resolve("ours"));
      Files.copy(theirs.resolve("postmaster.pid"), ours.resolve("postmaster.pid"));

      assertThat(OrphanedPostmaster.stopIfOurs(ours))
          .isEqualTo(OrphanedPostmaster.Finding.STALE_LOCK_REMOVED);
      assertThat(other.setting("server_version")).isNotBlank();
      assertThat(theirs.resolve("postmaster.pid")).exists();
    }
  }

  @Test
  void aLockFileOfADeadProcessIsLeftToPostgres() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Path dataDirectory = Files.createDirectories(work.resolve("pg"));
    writeLockFile(dataDirectory, gone.pid(), dataDirectory);

    assertThat(OrphanedPostmaster.stopIfOurs(dataDirectory))
        .isEqualTo(OrphanedPostmaster.Finding.DEAD);
    assertThat(dataDirectory.resolve("postmaster.pid")).exists();
    assertThat(OrphanedPostmaster.stopIfOurs(work.resolve("pg-none")))
        .isEqualTo(OrphanedPostmaster.Finding.NO_LOCK_FILE);
  }

  private static List<String> lockFileLines(Path dataDirectory) throws Exception {
    return Files.readAllLines(dataDirectory.resolve("postmaster.pid"));
  }

  /** The first lines of a postmaster.pid: pid, data directory, start time, port. */
  private static void writeLockFile(Path dataDirectory, long pid, Path named) throws Exception {
    Files.write(
        dataDirectory.resolve("postmaster.pid"),
        List.of(Long.toString(pid), named.toAbsolutePath().toString(), "1700000000", "5432"));
  }

  /** The child process: starts the server, commits a row, says so and waits to be killed. */
  public static final class StartAndWrite {
    static final String READY = "written";

    public static void main(String[] args) throws Exception {
      EmbeddedPostgresServer server = EmbeddedPostgresServer.startPersistent(Path.of(args[0]), 0);
      try (Connection c = DriverManager.getConnection(server.jdbcUrl("kept"), server.user(), "");
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE acknowledged (note text)");
        s.execute("INSERT INTO acknowledged VALUES ('written before the kill')");
      }
      System.out.println(READY);
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
    }
  }
}
