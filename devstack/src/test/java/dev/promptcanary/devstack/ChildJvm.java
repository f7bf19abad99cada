package dev.promptcanary.devstack;

import dev.promptcanary.testkit.JarProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * How the process-level tests start the packaged jar (dev, demo, worker, server, each CLI command):
 * {@link #builder} gives a {@link JarProcess} of one copy of {@code target/promptcanary.jar} per
 * test JVM, with JVM options for short test processes. Start-up, not throughput, is what these
 * children spend their CPU on: a test JVM starts some 20 of them on 2 cores, and each {@code dev}
 * loads about 14,000 classes from the 90 MB jar. So:
 *
 * <ul>
 *   <li>{@code -XX:TieredStopAtLevel=1} (C1 only) and {@code -XX:+UseSerialGC}: less compiler and
 *       GC work in short-lived processes;
 *   <li>an AppCDS archive of the copy (class data sharing: the classes parsed and verified once,
 *       then mapped by every later child). The first child records the classes it loads ({@code
 *       -XX:DumpLoadedClassList}); when the second is started the archive is built from that list
 *       in the background at the lowest CPU priority ({@code nice -n 19 java -Xshare:dump}), and
 *       every child started once it is ready maps it ({@code -XX:SharedArchiveFile}). Until then,
 *       or if it cannot be built, children run without it: the JVM ignores an archive it cannot use
 *       ({@code -Xshare:auto}, the default), so nothing but start-up time depends on it.
 * </ul>
 *
 * <p>The copy (in a temporary directory deleted when the test JVM exits) keeps a rebuild of {@code
 * target/} while tests run from pulling the jar from under them, and gives the archive a jar that
 * does not change (an archive records its jar's path, size and time).
 */
final class ChildJvm {
  private static final Path BUILT = Path.of("target", "promptcanary.jar");
  private static final List<String> OPTIONS =
      List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  private static Path directory;
  private static Path jar;
  private static Path classList;
  private static Path archive;
  private static Process dump;
  private static boolean gaveUp;

  private ChildJvm() {}

  /**
   * A child of the copied jar with {@link #options} {@code maxHeap}; the caller adds its name,
   * arguments and log.
   */
  static JarProcess.Builder builder(String maxHeap) {
    List<String> options = options(maxHeap);
    return JarProcess.builder(jar()).jvmOptions(options);
  }

  /**
   * The JVM options of the next child: those above, {@code -Xmx} {@code maxHeap} (none when null:
   * the JVM's default), and the archive's once it is ready.
   */
  static synchronized List<String> options(String maxHeap) {
    jar();
    List<String> options = new ArrayList<>(OPTIONS);
    if (maxHeap != null) {
      options.add("-Xmx" + maxHeap);
    }
    if (archiveReady()) {
      options.add("-XX:SharedArchiveFile=" + archive);
    } else if (classList == null) {
      classList = directory.resolve("classes.lst");
      options.add("-XX:DumpLoadedClassList=" + classList);
    } else if (dump == null && !gaveUp) {
      startDump();
    }
    return options;
  }

  /** The copy of {@code target/promptcanary.jar} every child of this test JVM runs. */
  static synchronized Path jar() {
    if (jar == null) {
      try {
        directory = Files.createTempDirectory("promptcanary-it-");
        Runtime.getRuntime().addShutdownHook(new Thread(ChildJvm::cleanUp, "child-jvm-cleanup"));
        jar = Files.copy(BUILT, directory.resolve("promptcanary.jar"));
      } catch (IOException e) {
        throw new UncheckedIOException("copying " + BUILT.toAbsolutePath(), e);
      }
    }
    return jar;
  }

  private static boolean archiveReady() {
    return dump != null && !dump.isAlive() && dump.exitValue() == 0 && Files.isRegularFile(archive);
  }

  /**
   * Builds the archive from the classes the first child has loaded so far (its complete lines: it
   * may still be writing), in the background; a failure only leaves the children without it.
   */
  private static void startDump() {
    try {
      byte[] recorded = Files.exists(classList) ? Files.readAllBytes(classList) : new byte[0];
      int end = recorded.length;
      while (end > 0 && recorded[end - 1] != '\n') {
        end--;
      }
      if (end == 0) {
        return; // nothing recorded yet: the next child tries again
      }
      Path snapshot = directory.resolve("classes-snapshot.lst");
      Files.write(snapshot, Arrays.copyOf(recorded, end));
      archive = directory.resolve("promptcanary.jsa");
      dump =
          new ProcessBuilder(
                  "nice",
                  "-n",
                  "19",
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Xshare:dump",
                  "-XX:SharedClassListFile=" + snapshot,
                  "-XX:SharedArchiveFile=" + archive,
                  "-cp",
                  jar.toString())
              .redirectErrorStream(true)
              .redirectOutput(directory.resolve("dump.log").toFile())
              .start();
    } catch (IOException e) {
      dump = null;
      archive = null;
      gaveUp = true;
    }
  }

  private static synchronized void cleanUp() {
    if (dump != null) {
      dump.destroyForcibly();
    }
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // a temporary directory left behind
    }
  }
}
