package dev.promptcanary.bench;

/**
 * Command-line options of the benchmarks: {@code --name=value} becomes the system property {@code
 * bench.name}.
 */
public final class Options {
  private Options() {}

  public static void apply(String[] args) {
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 0) {
        throw new IllegalArgumentException("options look like --name=value, not " + arg);
      }
      System.setProperty("bench." + arg.substring(2, eq), arg.substring(eq + 1));
    }
  }
}
