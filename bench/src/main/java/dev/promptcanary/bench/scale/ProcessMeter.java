package dev.promptcanary.bench.scale;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** A process's CPU time from Linux's {@code /proc}, and finding a process by its command line. */
final class ProcessMeter {
  /** USER_HZ: the unit of utime and stime in /proc/PID/stat, 100 on every Linux we run on. */
  private static final double TICKS_PER_SECOND = 100.0;

  private ProcessMeter() {}

  /** User plus system CPU seconds the process has used so far; NaN when it cannot be read. */
  static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // the command name (field 2) is in parentheses and may hold spaces: count from after it
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long utime = Long.parseLong(fields[11]);
      long stime = Long.parseLong(fields[12]);
      return (utime + stime) / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** The first process whose command line holds every one of {@code parts}. */
  static OptionalLong find(String... parts) {
    try (var dirs = Files.list(Path.of("/proc"))) {
      return dirs.filter(d -> d.getFileName().toString().chars().allMatch(Character::isDigit))
          .filter(d -> matches(d, parts))
          // the process itself, not the sh wrapper dev starts it under (same arguments)
          .filter(d -> !comm(d).equals("sh"))
          .mapToLong(d -> Long.parseLong(d.getFileName().toString()))
          .findFirst();
    } catch (IOException e) {
      return OptionalLong.empty();
    }
  }

  private static String comm(Path dir) {
    try {
      return Files.readString(dir.resolve("comm")).trim();
    } catch (IOException | RuntimeException gone) {
      return "";
    }
  }

  private static boolean matches(Path dir, String[] parts) {
    try {
      String cmdline =
          new String(Files.readAllBytes(dir.resolve("cmdline")), StandardCharsets.UTF_8)
              .replace('\0', ' ');
      for (String part : parts) {
        if (!cmdline.contains(part)) {
          return false;
        }
      }
      return !cmdline.isEmpty();
    } catch (IOException | RuntimeException gone) {
      return false;
    }
  }
}
