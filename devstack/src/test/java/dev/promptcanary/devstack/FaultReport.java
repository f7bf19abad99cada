package dev.promptcanary.devstack;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a fault IT measured, written to {@code target/faults/NAME.json} for {@code bench/faults},
 * which prints them as a table and one JSON line. Written before the test's assertions, so a run
 * that misses is reported with its numbers too.
 */
final class FaultReport {
  private static final Path DIR = Path.of("target", "faults");
  private final String name;
  private final Map<String, Object> figures = new LinkedHashMap<>();

  FaultReport(String name) {
    this.name = name;
    figures.put("fault", name);
    figures.put("temporal", TestTemporal.SERVER);
  }

  FaultReport put(String key, Object value) {
    figures.put(key, value);
    return this;
  }

  void write() throws IOException {
    Files.createDirectories(DIR);
    Files.writeString(
        DIR.resolve(name + ".json"), new ObjectMapper().writeValueAsString(figures) + "\n");
  }
}
