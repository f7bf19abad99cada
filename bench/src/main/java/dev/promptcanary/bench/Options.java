package dev.promptcanary.bench;

/**
 * Command-line options of the benchmarks: {@code --name=value} (or {@code --name value}) becomes
 * the system property {@code bench.name}.
 */
public final class Options {
  private Options() {}

  public static void apply(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--") || arg.length() < 3) {
        throw new IllegalArgumentException("options look like --name=value, not " + arg);
      }
      int eq = arg.indexOf('=');
      if (eq > 0) {
        System.setProperty("bench." + arg.substring(2, eq), arg.substring(eq + 1));
      } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        System.setProperty("bench." + arg.substring(2), args[++i]);
      } else {
        throw new IllegalArgumentException("option " + arg + " needs a value");
      }
    }
  }
}
