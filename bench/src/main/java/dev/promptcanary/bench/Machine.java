package dev.promptcanary.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What else the machine was doing: on 2 cores a busy neighbour moves every figure, so reports say
 * so.
 */
public final class Machine {
  private Machine() {}

  /** "2 cores, 17.0.9+9": what a report's first line says the figures were measured on. */
  public static String coresAndJava() {
    return Runtime.getRuntime().availableProcessors() + " cores, " + Runtime.version();
  }

  /** The 1-, 5- and 15-minute load averages, or "unknown" off Linux. */
  public static String load() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
